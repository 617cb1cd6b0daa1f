import { Badge, Button, Card, Code, Group, Loader, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type DeadLetterPublic, listDeadLetters, replayDeadLetter } from "../../../api/deadLetters";
import { LoadError } from "../../../components/LoadError";
import { Pager } from "../../../components/Pager";
import { showError, showToast } from "../../../components/toast";
import { useReachable } from "../../../components/useReachable";
import { formatDateTime } from "../../../lib/format";

const PAGE_SIZE = 20;
const DEAD_LETTERS_KEY = ["admin", "dead-letters"] as const;
/** Enough of a body to recognise it; the whole of it may be megabytes. */
const EXCERPT = 400;

function DeadLetterCard({ letter }: { letter: DeadLetterPublic }) {
  const queryClient = useQueryClient();
  const reachable = useReachable();
  const replay = useMutation({
    mutationFn: () => replayDeadLetter(letter.id),
    onSuccess: () => showToast({ color: "teal", message: "Dead letter replayed: it is back in the sign-in queue" }),
    onError: (error) => showError(error),
    onSettled: () => queryClient.invalidateQueries({ queryKey: DEAD_LETTERS_KEY }),
  });
  const replayedAt = replay.data?.replayed_at ?? letter.replayed_at;
  const body = letter.body.length > EXCERPT ? `${letter.body.slice(0, EXCERPT)}…` : letter.body;
  return (
    <Card withBorder padding="sm" role="listitem" data-testid="dead-letter">
      <Stack gap={6}>
        {/* On a phone the state goes below the text rather than squeezing it. */}
        <Group justify="space-between" wrap="wrap" align="flex-start" gap="xs">
          <Stack gap={0} style={{ minWidth: 0, flex: "1 1 14rem" }}>
            <Text size="sm" fw={600}>
              {formatDateTime(letter.received_at)}
            </Text>
            <Text size="xs" c="dimmed" style={{ overflowWrap: "anywhere" }}>
              {[
                letter.reason || "rejected",
                letter.delivery_count ? `delivered ${letter.delivery_count}×` : null,
                letter.queue,
              ]
                .filter(Boolean)
                .join(" · ")}
            </Text>
          </Stack>
          {replayedAt ? (
            <Badge variant="light" color="teal" miw="max-content">
              Replayed {formatDateTime(replayedAt)}
            </Badge>
          ) : (
            <Button
              size="compact-sm"
              variant="light"
              onClick={() => replay.mutate()}
              loading={replay.isPending}
              disabled={!reachable}
            >
              Replay
            </Button>
          )}
        </Group>
        <Code block style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
          {body}
        </Code>
      </Stack>
    </Card>
  );
}

/** The dead letters: what the worker could not process, each with Replay. */
export function DeadLettersDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [page, setPage] = useState(1);
  const letters = useQuery({
    queryKey: [...DEAD_LETTERS_KEY, page],
    queryFn: () => listDeadLetters({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    enabled: opened,
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Dead letters" size="lg">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Messages the worker could not process, newest first. Replay puts one back in the sign-in queue once its cause
          is fixed (a message that is still unreadable comes back here).
        </Text>
        {letters.isPending && <Loader size="sm" aria-label="Loading the dead letters" />}
        <LoadError what="the dead letters" error={letters.error} />
        {letters.data && letters.data.count === 0 && <Text>No dead letters.</Text>}
        {letters.data && letters.data.count > 0 && (
          <>
            <Stack gap="xs" role="list" aria-label="Dead letters">
              {letters.data.data.map((letter) => (
                <DeadLetterCard key={letter.id} letter={letter} />
              ))}
            </Stack>
            <Pager
              page={page}
              pageSize={PAGE_SIZE}
              count={letters.data.count}
              onChange={setPage}
              singular="dead letter"
              plural="dead letters"
            />
          </>
        )}
      </Stack>
    </Modal>
  );
}
