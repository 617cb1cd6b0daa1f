import { Button, Center, Stack, Text, Title } from "@mantine/core";
import { Link } from "@tanstack/react-router";

export function NotFoundPage() {
  return (
    <Center mih="60dvh" component="main">
      <Stack align="center">
        <Title order={1} size="h2">
          Lost in the wilds
        </Title>
        <Text c="dimmed">There is no page here.</Text>
        <Button component={Link} to="/" variant="light">
          Back to the quest log
        </Button>
      </Stack>
    </Center>
  );
}
