import { createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "violet",
  primaryShade: { light: 7, dark: 5 },
  defaultRadius: "md",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  headings: { fontFamily: "Georgia, 'Times New Roman', serif", fontWeight: "700" },
  // Keyboard users always see where they are (Mantine's default shows focus only for them).
  focusRing: "auto",
});
