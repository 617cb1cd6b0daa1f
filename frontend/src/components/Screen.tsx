import { Group, Stack, Title } from "@mantine/core";
import type { ReactNode } from "react";

/**
 * One screen of the app: its single h1 (drawn at h2 size, the app bar holds the brand), an
 * optional thing beside it (a balance, a "New …" button), then the content.
 */
export function Screen({
  title,
  aside,
  gap,
  children,
}: {
  title: string;
  aside?: ReactNode;
  gap?: "md" | "lg";
  children: ReactNode;
}) {
  const heading = (
    <Title order={1} size="h2">
      {title}
    </Title>
  );
  return (
    <Stack gap={gap}>
      {aside ? (
        <Group justify="space-between">
          {heading}
          {aside}
        </Group>
      ) : (
        heading
      )}
      {children}
    </Stack>
  );
}
