import { Button, Group, PasswordInput, Text } from "@mantine/core";
import { useInputState } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { deleteMyAccount, getAuthExport, getProcessingExport } from "../../api/operator";
import { session } from "../../auth/session";
import { useSession } from "../../auth/useSession";
import { useConfirm } from "../../components/ConfirmDialog";
import { ErrorAlert } from "../../components/FormParts";
import { Section } from "../../components/Section";
import { exportFileName, mergeExports } from "../../lib/operator";

function saveJson(document: unknown, fileName: string): void {
  const blob = new Blob([JSON.stringify(document, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = Object.assign(window.document.createElement("a"), { href: url, download: fileName });
  window.document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

/** "Your data": everything held about the player as one JSON download, and account deletion
 * (password re-entered, then a confirmation). */
export function PersonalDataSection() {
  const state = useSession();
  const userName = state.status === "authenticated" ? state.user.userName : "";
  const [confirm, confirmDialog] = useConfirm();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [password, setPassword] = useInputState("");
  const [error, setError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const download = async () => {
    setError(null);
    setDownloading(true);
    try {
      const [auth, processing] = await Promise.all([getAuthExport(), getProcessingExport()]);
      saveJson(mergeExports({ auth, processing }), exportFileName(userName));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setDownloading(false);
    }
  };

  const remove = async () => {
    setError(null);
    if (!password) {
      setError("Enter your password to delete your account");
      return;
    }
    const ok = await confirm({
      title: "Delete your account?",
      message:
        "Your account, balances, quest progress and history are deleted for good. This cannot be undone.",
      confirmLabel: "Delete my account",
      danger: true,
    });
    if (!ok) return;
    setDeleting(true);
    try {
      await deleteMyAccount({ password });
      queryClient.clear();
      session.endEverywhere("signed_out");
      await navigate({ to: "/login" });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <Section title="Your data">
      <ErrorAlert error={error} testId="personal-data-error" />
      <Group>
        <Button variant="light" onClick={() => void download()} loading={downloading}>
          Download my data
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        Deleting your account removes your sign-ins, quest progress, rewards and notifications.
      </Text>
      <Group align="flex-end" wrap="wrap">
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          w={240}
        />
        <Button color="red.9" variant="outline" onClick={() => void remove()} loading={deleting}>
          Delete my account
        </Button>
      </Group>
      {confirmDialog}
    </Section>
  );
}
