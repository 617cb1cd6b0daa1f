import { Alert, PasswordInput, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { session } from "../auth/session";
import { useSession } from "../auth/useSession";
import { safeRedirect, signInErrorMessage } from "../lib/authErrors";
import { AuthForm } from "./AuthLayout";

export function LoginPage() {
  const search = useSearch({ strict: false }) as { redirect?: string };
  const navigate = useNavigate();
  const state = useSession();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { username: "", password: "" },
    validate: {
      username: (v) => (v.trim() ? null : "Enter your user name"),
      password: (v) => (v ? null : "Enter your password"),
    },
  });

  const submit = form.onSubmit(async ({ username, password }) => {
    setError(null);
    try {
      await session.login(username.trim(), password);
      await navigate({ to: safeRedirect(search.redirect) });
    } catch (err) {
      setError(signInErrorMessage(err));
    }
  });

  const reason = state.status === "anonymous" ? state.reason : undefined;
  return (
    <AuthForm
      kind="login"
      onSubmit={submit}
      error={error}
      submitting={form.submitting}
      notices={
        <>
          {reason === "banned" && (
            <Alert color="red" variant="light" role="alert" data-testid="banned">
              Your account has been banned, so you were signed out. Ask an admin if you think this is a mistake.
            </Alert>
          )}
          {reason === "password_changed" && (
            <Alert color="teal" variant="light" role="status" data-testid="password-changed">
              Password changed, and every session signed out. Sign in with your new password.
            </Alert>
          )}
          {reason === "expired" && (
            <Alert color="yellow" variant="light" role="status">
              Your session ended. Sign in again to continue.
            </Alert>
          )}
        </>
      }
    >
      <TextInput label="User name" autoComplete="username" required autoFocus {...form.getInputProps("username")} />
      <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps("password")} />
    </AuthForm>
  );
}
