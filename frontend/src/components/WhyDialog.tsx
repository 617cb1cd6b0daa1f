import { Alert, Badge, Group, Loader, Modal, Stack, Text, Timeline } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getMyTrace, getUserTrace, type QuestTrace } from "../api/operator";
import { amountInWords, formatDate, formatDateTime, ledgerReason } from "../lib/format";
import { verdictView } from "../lib/operator";
import { type RewardAmount, traceEventWords } from "../lib/traceWords";

/** "Why?": every recorded sign-in with its local date and the rule's verdict, the completions,
 * and each grant with its status and ledger key, as a timeline. */
export function WhyDialog({
  questId,
  title,
  userId,
  reward = null,
  noun,
  sumOf,
  opened,
  onClose,
}: {
  questId: string;
  title: string;
  reward?: RewardAmount | null;
  /** What one event of the quest is called ("sign-in" unless said). */
  noun?: string;
  /** The property a sum quest adds up, in words. */
  sumOf?: string;
  /** Set on the admin's view of a player; the player's own trace otherwise. */
  userId?: string;
  opened: boolean;
  onClose: () => void;
}) {
  const trace = useQuery({
    queryKey: ["trace", userId ?? "me", questId],
    queryFn: () => (userId ? getUserTrace({ user_id: userId, quest_id: questId }) : getMyTrace(questId)),
    enabled: opened,
  });
  return (
    <Modal opened={opened} onClose={onClose} title={`Why? — ${title}`} size="lg" data-testid="why-dialog">
      {trace.isPending && <Loader size="sm" aria-label="Loading the trace" />}
      {trace.error && (
        <Alert color="red" role="alert">
          {trace.error.message}
        </Alert>
      )}
      {trace.data && (
        <TraceTimeline trace={trace.data} reward={reward} noun={noun} sumOf={sumOf} forAdmin={userId !== undefined} />
      )}
    </Modal>
  );
}

/** Verdicts whose line of words says all there is ("counted: 2 of 3"). */
const SAID_IN_WORDS = new Set<string>(["counted"]);

export function TraceTimeline({
  trace,
  reward = null,
  noun = "sign-in",
  sumOf,
  forAdmin = false,
}: {
  trace: QuestTrace;
  noun?: string;
  sumOf?: string;
  /** The quest's reward, for "10 diamonds claimable" (the trace names only its grants). */
  reward?: RewardAmount | null;
  /** Admins also see each grant's ledger key; players never see internal ids. */
  forAdmin?: boolean;
}) {
  if (trace.events.length === 0) {
    return (
      <Text size="sm">
        {noun === "sign-in" ? "No sign-in recorded yet: sign in to start this quest." : `No ${noun} recorded yet.`}
      </Text>
    );
  }
  const how =
    trace.streak_mode === "daily"
      ? "One step per day"
      : sumOf
        ? `Adds up ${sumOf}`
        : `Every ${noun === "sign-in" ? "sign-in" : `qualifying ${noun}`} counts`;
  const amount = reward ?? (trace.grants[0] ? { qty: trace.grants[0].qty, item: trace.grants[0].item } : null);
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        {how}; {trace.streak_target} to
        complete, at most {trace.duplication} times.
      </Text>
      <Timeline bulletSize={14} lineWidth={2} data-testid="trace-timeline">
        {trace.events.map((event, index) => {
          const view = verdictView(event.verdict);
          return (
            <Timeline.Item
              key={event.event_id}
              color={event.completion ? "teal" : view.color}
              data-testid="trace-event"
              data-verdict={event.verdict}
              title={
                <Group gap="xs" wrap="wrap">
                  <Text fw={600} size="sm">
                    {traceEventWords(event, index, trace, amount, noun)}
                  </Text>
                  {/* The words say "counted" already; a badge marks only what did not count. */}
                  {!SAID_IN_WORDS.has(event.verdict) && !event.completion && (
                    <Badge color={view.color} variant="light" size="sm">
                      {view.label}
                    </Badge>
                  )}
                </Group>
              }
            >
              <Text size="xs" c="dimmed">
                {formatDateTime(event.at)} · your day {formatDate(event.local_date)} ({event.zone})
              </Text>
              {view.explain && !event.completion && !SAID_IN_WORDS.has(event.verdict) && (
                <Text size="xs">{view.explain}</Text>
              )}
            </Timeline.Item>
          );
        })}
      </Timeline>
      {trace.grants.length > 0 && (
        <Stack gap={4} data-testid="trace-grants">
          <Text fw={600} size="sm">
            Rewards
          </Text>
          {trace.grants.map((grant) => (
            <Group key={grant.grant_id} gap="xs" wrap="wrap">
              <Badge color={grant.status === "credited" ? "teal" : "yellow"} variant="light">
                {grant.status === "credited" ? "Credited" : "On its way"}
              </Badge>
              <Text size="xs">
                {amountInWords(grant.qty, grant.item)} · {ledgerReason(grant.reason)}
                {grant.credited_at ? ` · ${formatDateTime(grant.credited_at)}` : ""}
              </Text>
              {forAdmin && (
                <Text size="xs" c="dimmed" style={{ wordBreak: "break-all" }}>
                  ledger key {grant.idempotency_key}
                </Text>
              )}
            </Group>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
