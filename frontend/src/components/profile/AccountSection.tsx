import { Button, Group, PasswordInput, Stack, Text } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { changeMyPassword, logoutEverywhere } from "../../api/auth";
import { ApiError } from "../../api/errors";
import { session } from "../../auth/session";
import { formatWait, validatePassword } from "../../lib/authErrors";
import { useConfirm } from "../ConfirmDialog";
import { ErrorAlert } from "../FormParts";
import { Section } from "../Section";
import { useReachable } from "../useReachable";

type PasswordValues = { current: string; next: string; repeat: string };

/** A refused password change, in words. */
export function passwordChangeRefusal(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      return error.retryAfter !== null
        ? `Too many attempts. Try again in ${formatWait(error.retryAfter)}.`
        : "Too many attempts. Wait a moment and try again.";
    }
    if (error.status === 400 || error.status === 401 || error.status === 403) return "Your current password is wrong.";
    if (error.status === 422) return "The new password must be 8 to 128 characters.";
  }
  return error instanceof Error ? error.message : "The change did not go through.";
}

/**
 * The account's keys: a password change (the "I was compromised" button: it ends every
 * session, this one too) and "Sign out everywhere".
 */
export function AccountSection() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const reachable = useReachable();
  const [confirm, confirmDialog] = useConfirm();
  const [error, setError] = useState<string | null>(null);
  const [everywhereError, setEverywhereError] = useState<string | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  const form = useForm<PasswordValues>({
    initialValues: { current: "", next: "", repeat: "" },
    validate: {
      current: (value) => (value ? null : "Enter your current password"),
      next: (value, values) =>
        validatePassword(value) ?? (value === values.current ? "Pick a password other than the current one" : null),
      repeat: (value, values) => (value === values.next ? null : "The two new passwords differ"),
    },
  });

  const leave = async (reason: "password_changed" | "signed_out") => {
    queryClient.clear();
    // Every tab of this browser follows: their refresh cookie was revoked with the rest.
    session.endEverywhere(reason);
    await navigate({ to: "/login" });
  };

  const change = form.onSubmit(async (values) => {
    setError(null);
    try {
      await changeMyPassword({ current_password: values.current, new_password: values.next });
    } catch (e) {
      setError(passwordChangeRefusal(e));
      return;
    }
    await leave("password_changed");
  });

  const signOutEverywhere = async () => {
    const ok = await confirm({
      title: "Sign out everywhere",
      message: "Every session of your account ends, on this device and all others. You will sign in again here.",
      confirmLabel: "Sign out everywhere",
      danger: true,
    });
    if (!ok) return;
    setEverywhereError(null);
    setSigningOut(true);
    try {
      await logoutEverywhere();
    } catch (e) {
      setEverywhereError(e instanceof Error ? e.message : String(e));
      setSigningOut(false);
      return;
    }
    await leave("signed_out");
  };

  return (
    <>
      <Section title="Password">
        <form onSubmit={change} noValidate aria-label="Change password">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              Changing your password signs you out everywhere, here too: sign in again with the new one.
            </Text>
            <ErrorAlert error={error} testId="password-error" />
            <PasswordInput
              label="Current password"
              autoComplete="current-password"
              w={{ base: "100%", xs: 320 }}
              {...form.getInputProps("current")}
            />
            <PasswordInput
              label="New password"
              description="8 to 128 characters"
              autoComplete="new-password"
              w={{ base: "100%", xs: 320 }}
              {...form.getInputProps("next")}
            />
            <PasswordInput
              label="Repeat new password"
              autoComplete="new-password"
              w={{ base: "100%", xs: 320 }}
              {...form.getInputProps("repeat")}
            />
            <Group>
              <Button type="submit" loading={form.submitting} disabled={!reachable}>
                Change password
              </Button>
            </Group>
          </Stack>
        </form>
      </Section>
      <Section title="Sessions">
        <Text size="sm" c="dimmed">
          Signed in on a device you no longer use, or one that is not yours? End every session of your account at once.
        </Text>
        <ErrorAlert error={everywhereError} testId="sign-out-everywhere-error" />
        <Group>
          <Button
            color="red.9"
            variant="outline"
            onClick={() => void signOutEverywhere()}
            loading={signingOut}
            disabled={!reachable}
          >
            Sign out everywhere
          </Button>
        </Group>
        {confirmDialog}
      </Section>
    </>
  );
}
