import { Alert, Badge, Group, Loader, Modal, Stack, Text, Timeline } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getMyTrace, getUserTrace, type QuestTrace } from "../api/operator";
import { verdictView } from "../lib/operator";

/** "Why?": every recorded sign-in with its local date and the rule's verdict, the completions,
 * and each grant with its status and ledger key, as a timeline. */
export function WhyDialog({
  questId,
  title,
  userId,
  opened,
  onClose,
}: {
  questId: string;
  title: string;
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
      {trace.data && <TraceTimeline trace={trace.data} />}
    </Modal>
  );
}

export function TraceTimeline({ trace }: { trace: QuestTrace }) {
  if (trace.events.length === 0) {
    return <Text size="sm">No sign-in recorded yet: sign in to start this quest.</Text>;
  }
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        {trace.streak_mode === "daily" ? "One step per day" : "Every sign-in counts"}; {trace.streak_target} to
        complete, at most {trace.duplication} times.
      </Text>
      <Timeline bulletSize={14} lineWidth={2} data-testid="trace-timeline">
        {trace.events.map((event) => {
          const view = verdictView(event.verdict);
          return (
            <Timeline.Item
              key={event.event_id}
              color={view.color}
              data-testid="trace-event"
              data-verdict={event.verdict}
              title={
                <Group gap="xs" wrap="wrap">
                  <Text fw={600} size="sm">
                    {event.local_date ?? ""}
                  </Text>
                  <Badge color={view.color} variant="light" size="sm">
                    {view.label}
                  </Badge>
                  {event.completion && (
                    <Badge color="teal" size="sm">
                      Completed
                    </Badge>
                  )}
                </Group>
              }
            >
              <Text size="xs" c="dimmed">
                {new Date(event.at).toLocaleString()} ({event.zone}) · streak {event.streak} · completed{" "}
                {event.completed}
              </Text>
              {view.explain && <Text size="xs">{view.explain}</Text>}
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
                {grant.status}
              </Badge>
              <Text size="xs">
                {grant.qty} {grant.item} ({grant.reason.replace(/_/g, " ")})
              </Text>
              <Text size="xs" c="dimmed" style={{ wordBreak: "break-all" }}>
                ledger key {grant.idempotency_key}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
