import { ActionIcon, useComputedColorScheme, useMantineColorScheme } from "@mantine/core";

/** Light or dark; the choice is remembered in this browser (Mantine's localStorage manager). */
export function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const current = useComputedColorScheme("dark", { getInitialValueInEffect: false });
  const next = current === "dark" ? "light" : "dark";
  return (
    <ActionIcon
      variant="subtle"
      color="gray"
      size="lg"
      onClick={() => setColorScheme(next)}
      aria-label={`Switch to ${next} theme`}
      data-testid="theme-toggle"
    >
      <span aria-hidden>{current === "dark" ? "☀" : "☾"}</span>
    </ActionIcon>
  );
}
