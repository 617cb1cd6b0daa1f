import { Button, Center, Stack, Text, Title } from "@mantine/core";
import { Link } from "@tanstack/react-router";

export function Forbidden() {
  return (
    <Center mih={300}>
      <Stack align="center" gap="sm" data-testid="forbidden">
        <Title order={1} size="h2">
          Admins only
        </Title>
        <Text c="dimmed" ta="center">
          This page is for quest masters. Your account cannot open it.
        </Text>
        <Button component={Link} to="/" variant="light">
          Back to the quest log
        </Button>
      </Stack>
    </Center>
  );
}
