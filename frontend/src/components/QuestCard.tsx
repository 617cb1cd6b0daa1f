import { Badge, Button, Card, Group, Loader, Progress, Stack, Text, Title } from "@mantine/core";
import { Fragment, useState } from "react";
import { progressView } from "../lib/progress";
import { eventTypeOf, filtersSentence, isSumQuest, lockedTitles, propertyWords, SIGN_IN } from "../lib/questMeasure";
import { ClaimButton, type ClaimProps } from "./ClaimButton";
import { ItemIcon } from "./ItemIcon";
import { QuestTimeNotes } from "./QuestTimeNotes";
import { WhyDialog } from "./WhyDialog";

/** A padlock, drawn (no icon font): named "Locked" for screen readers. */
function LockIcon({ size = 18 }: { size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      role="img"
      aria-label="Locked"
      data-testid="quest-lock"
      style={{ flexShrink: 0 }}
    >
      <path
        d="M7 10V7a5 5 0 0 1 10 0v3"
        fill="none"
        stroke="currentColor"
        strokeWidth="2.2"
        strokeLinecap="round"
      />
      <rect x="4" y="10" width="16" height="11" rx="2.5" fill="currentColor" />
      <circle cx="12" cy="15.5" r="1.8" fill="var(--mantine-color-body)" />
    </svg>
  );
}

/** "Locked — finish *A* and *B* first", the titles set apart. */
function LockedNote({ titles }: { titles: string[] }) {
  const last = titles.length - 1;
  return (
    <Group gap={8} wrap="nowrap" align="flex-start" c="dimmed" data-testid="quest-locked">
      <LockIcon />
      <Text size="sm" fw={500} c="var(--mantine-color-text)">
        Locked — finish{" "}
        {titles.map((title, index) => (
          <Fragment key={`${index}-${title}`}>
            {index > 0 && (index === last ? " and " : ", ")}
            <em>{title}</em>
          </Fragment>
        ))}{" "}
        first
      </Text>
    </Group>
  );
}

export function QuestCard({
  counting = false,
  typeTitle,
  ...props
}: ClaimProps & {
  /** The player's sign-in is not counted yet (the worker lags): say so instead of a stale streak. */
  counting?: boolean;
  /** The catalog's title of the quest's event type ("Match won"); its name when not given. */
  typeTitle?: string;
}) {
  const { progress } = props;
  const view = progressView(progress, typeTitle);
  const [why, setWhy] = useState(false);
  const { quest } = progress;
  const titleId = `quest-${quest.quest_id}-title`;
  const signIn = eventTypeOf(progress) === SIGN_IN;
  const lockedBy = progress.status === "done" ? [] : lockedTitles(progress);
  const filters = signIn ? null : filtersSentence(quest.where);
  // While locked nothing counts: no claim button (unless a reward is already earned), no
  // "Counting your sign-in…", no "next check-in counts in …".
  const waiting = lockedBy.length > 0 && progress.claimable === 0;
  return (
    <Card
      component="article"
      aria-labelledby={titleId}
      withBorder
      radius="lg"
      padding="lg"
      className={`quest-card quest-card--${view.status}${view.locked ? " quest-card--locked" : ""}`}
      data-testid="quest-card"
      data-quest-name={quest.name}
      data-status={view.status}
      data-locked={lockedBy.length > 0 ? "true" : undefined}
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
        {lockedBy.length > 0 && <LockedNote titles={lockedBy} />}
        <Stack gap={4}>
          <Group justify="space-between" gap="xs" wrap="nowrap" align="baseline">
            <Text size="sm" data-testid="quest-measure" style={{ minWidth: 0, overflowWrap: "anywhere" }}>
              {view.measureLabel}
            </Text>
            <Text size="sm" fw={600} data-testid="quest-streak" style={{ flexShrink: 0 }}>
              {view.streakText}
            </Text>
          </Group>
          <Progress
            value={view.percent}
            size="lg"
            radius="xl"
            color={view.statusColor}
            aria-label={view.measureSummary}
            striped={view.status === "in_progress" && !view.locked}
          />
          {filters && (
            <Text size="xs" c="dimmed" data-testid="quest-filters">
              {filters}
            </Text>
          )}
          <Text size="xs" c="dimmed" data-testid="quest-completions">
            {view.completionsText}
          </Text>
          {counting && signIn && !waiting && (
            <Group gap={6} wrap="nowrap" role="status">
              <Loader size={12} type="dots" aria-hidden />
              <Text size="xs" c="var(--quest-accent-text)" data-testid="quest-counting">
                Counting your sign-in…
              </Text>
            </Group>
          )}
        </Stack>
        {!waiting && <QuestTimeNotes progress={progress} />}
        {!waiting && <ClaimButton {...props} />}
        <Button variant="subtle" size="xs" onClick={() => setWhy(true)} aria-label={`Why? ${quest.title}`}>
          Why?
        </Button>
        {why && (
          <WhyDialog
            questId={quest.quest_id}
            title={quest.title}
            reward={{ qty: quest.reward.reward_qty, item: quest.reward.reward_item }}
            noun={signIn ? "sign-in" : "event"}
            sumOf={isSumQuest(progress) ? propertyWords(quest.measure_property ?? "") : undefined}
            opened
            onClose={() => setWhy(false)}
          />
        )}
      </Stack>
    </Card>
  );
}
