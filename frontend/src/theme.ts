import { createTheme, localStorageColorSchemeManager, Modal } from "@mantine/core";

// One stack that exists everywhere: each platform's own UI font, no web font to download,
// and headings in the same family (a missing serif fell back differently on every system).
const SYSTEM_FONTS =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'Noto Sans', 'Liberation Sans', Arial, sans-serif, 'Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji'";

export const theme = createTheme({
  primaryColor: "violet",
  primaryShade: { light: 7, dark: 5 },
  defaultRadius: "md",
  fontFamily: SYSTEM_FONTS,
  headings: { fontFamily: SYSTEM_FONTS, fontWeight: "700" },
  // Keyboard users always see where they are (Mantine's default shows focus only for them).
  focusRing: "auto",
  components: {
    // Every dialog's close button says what it does.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close dialog" } } }),
  },
});

/** index.html reads the same key before the app loads, to paint the right background at once. */
export const COLOR_SCHEME_KEY = "quest-color-scheme";
export const colorSchemeManager = localStorageColorSchemeManager({ key: COLOR_SCHEME_KEY });
