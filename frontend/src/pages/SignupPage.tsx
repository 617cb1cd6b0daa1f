import { PasswordInput, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { signUp } from "../api/auth";
import { ApiError, fieldErrors } from "../api/errors";
import { session } from "../auth/session";
import { signInErrorMessage, validatePassword, validateUserName } from "../lib/authErrors";
import { AuthForm } from "./AuthLayout";

export function SignupPage() {
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { user_name: "", password: "", confirm: "" },
    validate: {
      user_name: validateUserName,
      password: validatePassword,
      confirm: (v, values) => (v === values.password ? null : "The passwords differ"),
    },
  });

  const submit = form.onSubmit(async ({ user_name, password }) => {
    setError(null);
    try {
      await signUp({ user_name, password });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        form.setFieldError("user_name", "That name is taken");
      } else {
        const errors = fieldErrors(err, ["user_name", "password"]);
        const { _form, ...fields } = errors;
        form.setErrors(fields);
        if (_form) setError(_form);
      }
      return;
    }
    try {
      // A new account signs straight in: that first sign-in already counts for quests.
      await session.login(user_name, password);
      await navigate({ to: "/" });
    } catch (err) {
      setError(`Account created, but signing in failed: ${signInErrorMessage(err)}`);
    }
  });

  return (
    <AuthForm kind="signup" onSubmit={submit} error={error} submitting={form.submitting}>
      <TextInput
        label="User name"
        description="3–64 letters, digits, dot, dash or underscore"
        autoComplete="username"
        required
        autoFocus
        {...form.getInputProps("user_name")}
      />
      <PasswordInput
        label="Password"
        description="8–128 characters"
        autoComplete="new-password"
        required
        {...form.getInputProps("password")}
      />
      <PasswordInput label="Repeat password" autoComplete="new-password" required {...form.getInputProps("confirm")} />
    </AuthForm>
  );
}
