import { Center, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { ItemIcon } from "../components/ItemIcon";

export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center mih="100dvh" p="md" component="main" className="auth-bg">
      <Paper withBorder radius="lg" p="xl" w="100%" maw={420} shadow="xl">
        <Stack gap="lg">
          <Stack gap={2} align="center">
            <ItemIcon item="diamond" size={44} title="" />
            <Title order={1} size="h2" ta="center">
              {title}
            </Title>
            <Text c="dimmed" size="sm" ta="center">
              Sign in every day, finish quests, collect diamonds.
            </Text>
          </Stack>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}
