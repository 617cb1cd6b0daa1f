import { Button, Stack, Text } from "@mantine/core";
import type { QuestProgress } from "../api/types";
import { claimButtonView } from "../lib/progress";

export function ClaimButton({
  progress,
  pending,
  onClaim,
}: {
  progress: QuestProgress;
  pending: boolean;
  onClaim: () => void;
}) {
  const view = claimButtonView(progress, pending);
  return (
    <Stack gap={4} align="stretch">
      <Button
        onClick={onClaim}
        disabled={view.disabled}
        loading={view.loading}
        loaderProps={{ type: "dots" }}
        color="yellow"
        c={view.disabled ? undefined : "dark.9"}
        variant={view.disabled ? "default" : "filled"}
        aria-label={view.loading ? "Claiming" : view.label}
        data-testid="claim-button"
      >
        {view.label}
      </Button>
      {view.hint && (
        <Text size="xs" c="dimmed" ta="center">
          {view.hint}
        </Text>
      )}
    </Stack>
  );
}
