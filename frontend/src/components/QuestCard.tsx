import { Badge, Button, Card, Group, Loader, Progress, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { progressView } from "../lib/progress";
import { ClaimButton, type ClaimProps } from "./ClaimButton";
import { ItemIcon } from "./ItemIcon";
import { QuestTimeNotes } from "./QuestTimeNotes";
import { WhyDialog } from "./WhyDialog";

export function QuestCard({
  counting = false,
  ...props
}: ClaimProps & {
  /** The player's sign-in is not counted yet (the worker lags): say so instead of a stale streak. */
  counting?: boolean;
}) {
  const { progress } = props;
  const view = progressView(progress);
  const [why, setWhy] = useState(false);
  const { quest } = progress;
  const titleId = `quest-${quest.quest_id}-title`;
  return (
    <Card
      component="article"
      aria-labelledby={titleId}
      withBorder
      radius="lg"
      padding="lg"
      className={`quest-card quest-card--${view.status}`}
      data-testid="quest-card"
      data-quest-name={quest.name}
      data-status={view.status}
    >
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Title order={3} size="h4" id={titleId}>
            {quest.title}
          </Title>
          <Badge
            color={view.statusColor}
            variant="light"
            size="lg"
            data-testid="quest-status"
            style={{ flexShrink: 0 }}
          >
            {view.statusLabel}
          </Badge>
        </Group>
        {quest.description && (
          <Text size="sm" c="dimmed">
            {quest.description}
          </Text>
        )}
        <Group gap="xs" aria-label={`Reward: ${view.rewardText}`}>
          <ItemIcon item={quest.reward.reward_item} size={30} title="" />
          <Text fw={700} fz="lg" data-testid="quest-reward">
            {quest.reward.reward_qty.toLocaleString("en-US")}
          </Text>
          <Text size="sm" c="dimmed">
            {view.rewardWords.replace(/^[\d,]+ /, "")}
          </Text>
        </Group>
        <Stack gap={4}>
          <Group justify="space-between">
            <Text size="sm">Streak</Text>
            <Text size="sm" fw={600} data-testid="quest-streak">
              {view.streakText}
            </Text>
          </Group>
          <Progress
            value={view.percent}
            size="lg"
            radius="xl"
            color={view.statusColor}
            aria-label={`Streak ${view.streakText}`}
            striped={view.status === "in_progress"}
          />
          <Text size="xs" c="dimmed" data-testid="quest-completions">
            {view.completionsText}
          </Text>
          {counting && (
            <Group gap={6} wrap="nowrap" role="status">
              <Loader size={12} type="dots" aria-hidden />
              <Text size="xs" c="var(--quest-accent-text)" data-testid="quest-counting">
                Counting your sign-in…
              </Text>
            </Group>
          )}
        </Stack>
        <QuestTimeNotes progress={progress} />
        <ClaimButton {...props} />
        <Button variant="subtle" size="xs" onClick={() => setWhy(true)} aria-label={`Why? ${quest.title}`}>
          Why?
        </Button>
        {why && (
          <WhyDialog
            questId={quest.quest_id}
            title={quest.title}
            reward={{ qty: quest.reward.reward_qty, item: quest.reward.reward_item }}
            opened
            onClose={() => setWhy(false)}
          />
        )}
      </Stack>
    </Card>
  );
}
