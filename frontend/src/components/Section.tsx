import { Card, Stack, Title } from "@mantine/core";
import { type ReactNode, useId } from "react";

/** A titled part of a page, as a bordered card; its title names the section for screen readers. */
export function Section({ title, children }: { title: string; children: ReactNode }) {
  const titleId = useId();
  return (
    <Card withBorder radius="lg" padding="lg" component="section" aria-labelledby={titleId}>
      <Stack gap="sm">
        <Title order={2} size="h4" id={titleId}>
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}
