import { Button, Stack, Text } from "@mantine/core";
import type { QuestProgress } from "../api/types";
import { itemIcon } from "../lib/format";
import { claimButtonView } from "../lib/progress";
import { ItemIcon } from "./ItemIcon";

/** A quest's progress and what claiming it needs: the quest card passes them on to its button. */
export interface ClaimProps {
  progress: QuestProgress;
  pending: boolean;
  /** Nothing can be claimed right now (the server is unreachable). */
  disabled?: boolean;
  onClaim: () => void;
}

export function ClaimButton({ progress, pending, disabled = false, onClaim }: ClaimProps) {
  const view = claimButtonView(progress, pending);
  if (view.automatic) {
    return (
      <Text size="sm" c="dimmed" ta="center" data-testid="claim-automatic">
        {view.label}
      </Text>
    );
  }
  // The accessible name keeps the emoji ("Claim 10 💎"); the eye gets the drawn icon.
  const item = progress.quest.reward.reward_item;
  const [before, after] = view.label.split(itemIcon(item));
  const content =
    after === undefined ? (
      view.label
    ) : (
      <>
        {before}
        <ItemIcon item={item} size={18} title="" />
        {after}
      </>
    );
  return (
    <Stack gap={4} align="stretch">
      <Button
        onClick={onClaim}
        disabled={view.disabled || disabled}
        loading={view.loading}
        loaderProps={{ type: "dots" }}
        styles={{ label: { gap: 6 } }}
        color="yellow"
        c={view.disabled ? undefined : "dark.9"}
        variant={view.disabled ? "default" : "filled"}
        aria-label={view.loading ? "Claiming" : view.label}
        data-testid="claim-button"
      >
        {content}
      </Button>
      {view.hint && (
        <Text size="xs" c="dimmed" ta="center">
          {view.hint}
        </Text>
      )}
    </Stack>
  );
}
