import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { session } from "../auth/session";
import { useSession } from "../auth/useSession";
import { safeRedirect, signInErrorMessage } from "../lib/authErrors";
import { AuthLayout } from "./AuthLayout";

export function LoginPage() {
  const search = useSearch({ strict: false }) as { redirect?: string };
  const navigate = useNavigate();
  const state = useSession();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const form = useForm({
    initialValues: { username: "", password: "" },
    validate: {
      username: (v) => (v.trim() ? null : "Enter your user name"),
      password: (v) => (v ? null : "Enter your password"),
    },
  });

  const submit = form.onSubmit(async ({ username, password }) => {
    setSubmitting(true);
    setError(null);
    try {
      await session.login(username.trim(), password);
      await navigate({ to: safeRedirect(search.redirect) });
    } catch (err) {
      setError(signInErrorMessage(err));
    } finally {
      setSubmitting(false);
    }
  });

  const expired = state.status === "anonymous" && state.reason === "expired";
  const banned = state.status === "anonymous" && state.reason === "banned";
  return (
    <AuthLayout title="Sign in">
      <form onSubmit={submit} noValidate aria-label="Sign in">
        <Stack>
          {banned && !error && (
            <Alert color="red" variant="light" role="alert" data-testid="banned">
              Your account has been banned, so you were signed out. Ask an admin if you think this is a mistake.
            </Alert>
          )}
          {expired && !error && (
            <Alert color="yellow" variant="light" role="status">
              Your session ended. Sign in again to continue.
            </Alert>
          )}
          {error && (
            <Alert color="red" variant="light" role="alert" data-testid="form-error">
              {error}
            </Alert>
          )}
          <TextInput
            label="User name"
            autoComplete="username"
            required
            autoFocus
            {...form.getInputProps("username")}
          />
          <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps("password")} />
          <Button type="submit" loading={submitting} fullWidth size="md">
            Sign in
          </Button>
          <Text size="sm" ta="center">
            New here?{" "}
            <Anchor component={Link} to="/signup">
              Create an account
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthLayout>
  );
}
