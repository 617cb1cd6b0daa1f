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

/** The two forms' wording, each with its link to the other. */
const AUTH_FORMS = {
  login: {
    title: "Sign in",
    submit: "Sign in",
    other: { prompt: "New here?", to: "/signup", label: "Create an account" },
  },
  signup: {
    title: "Create an account",
    submit: "Create account",
    other: { prompt: "Already playing?", to: "/login", label: "Sign in" },
  },
} as const;

/**
 * The sign-in or sign-up form around its fields: the refusal (or, when there is none, the
 * `notices`), the full-width submit button and the link to the other form.
 */
export function AuthForm({
  kind,
  onSubmit,
  error,
  submitting,
  notices,
  children,
}: {
  kind: keyof typeof AUTH_FORMS;
  onSubmit: FormEventHandler<HTMLFormElement>;
  error: string | null;
  submitting: boolean;
  notices?: ReactNode;
  children: ReactNode;
}) {
  const words = AUTH_FORMS[kind];
  return (
    <AuthLayout title={words.title}>
      <form onSubmit={onSubmit} noValidate aria-label={words.title}>
        <Stack>
          {error ? <ErrorAlert error={error} /> : notices}
          {children}
          <Button type="submit" loading={submitting} fullWidth size="md">
            {words.submit}
          </Button>
          <Text size="sm" ta="center">
            {words.other.prompt}{" "}
            <Anchor component={Link} to={words.other.to}>
              {words.other.label}
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthLayout>
  );
}
