import { Anchor, Button, Center, Paper, Stack, Text, Title } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import type { FormEventHandler, ReactNode } from "react";
import { ErrorAlert } from "../components/FormParts";
import { ItemIcon } from "../components/ItemIcon";

function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
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

/**
 * The sign-in and sign-up form around its fields: the refusal (or, when there is none, the
 * `notices`), the full-width submit button and the link to the other form.
 */
export function AuthForm({
  title,
  onSubmit,
  error,
  submitting,
  submitLabel,
  notices,
  other,
  children,
}: {
  title: string;
  onSubmit: FormEventHandler<HTMLFormElement>;
  error: string | null;
  submitting: boolean;
  submitLabel: string;
  notices?: ReactNode;
  other: { prompt: string; to: "/login" | "/signup"; label: string };
  children: ReactNode;
}) {
  return (
    <AuthLayout title={title}>
      <form onSubmit={onSubmit} noValidate aria-label={title}>
        <Stack>
          {error ? <ErrorAlert error={error} /> : notices}
          {children}
          <Button type="submit" loading={submitting} fullWidth size="md">
            {submitLabel}
          </Button>
          <Text size="sm" ta="center">
            {other.prompt}{" "}
            <Anchor component={Link} to={other.to}>
              {other.label}
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthLayout>
  );
}
