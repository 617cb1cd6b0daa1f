import { Badge, Button, Card, SimpleGrid, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { getAuthOps, getCatalogOps, getProcessingOps } from "../../../api/operator";
import { LoadError } from "../../../components/LoadError";
import { Screen } from "../../../components/Screen";
import { formatTime } from "../../../lib/format";
import { age } from "../../../lib/operator";
import { DeadLettersDialog } from "./DeadLetters";

const REFRESH_MS = 3_000;

function Figure({
  label,
  value,
  hint,
  testId,
  action,
}: {
  label: string;
  value: string;
  hint?: string;
  testId: string;
  action?: ReactNode;
}) {
  return (
    <Card withBorder radius="md" padding="md" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz="xl" fw={700}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
      {action}
    </Card>
  );
}

const MINTED = [
  { window: "last_hour", testId: "ops-minted-hour", label: "Minted, last hour" },
  { window: "last_day", testId: "ops-minted-day", label: "Minted, last day" },
] as const;

const n = (value: number) => (value < 0 ? "unknown" : value.toLocaleString("en-US"));

/** The operations figures of the three services, refreshing every few seconds. */
export function AdminOpsPage() {
  const processing = useQuery({ queryKey: ["ops", "processing"], queryFn: getProcessingOps, refetchInterval: REFRESH_MS });
  const auth = useQuery({ queryKey: ["ops", "auth"], queryFn: getAuthOps, refetchInterval: REFRESH_MS });
  const catalog = useQuery({ queryKey: ["ops", "catalog"], queryFn: getCatalogOps, refetchInterval: REFRESH_MS });
  const outboxes = [
    { service: "auth", label: "Auth outbox", query: auth },
    { service: "catalog", label: "Catalog outbox", query: catalog },
  ];
  const p = processing.data;
  const updated = processing.dataUpdatedAt ? formatTime(processing.dataUpdatedAt) : "—";
  const [deadLetters, setDeadLetters] = useState(false);

  return (
    <Screen
      title="Operations"
      aside={
        <Badge variant="dot" color={processing.isError ? "red" : "teal"} data-testid="ops-updated">
          Updated {updated}
        </Badge>
      }
    >
      <LoadError what="processing's figures" error={processing.error} />
      {p && (
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
          <Figure
            testId="ops-queue"
            label="Sign-in queue"
            value={n(p.sign_in_queue.depth)}
            hint={`${n(p.sign_in_queue.consumers)} consumer(s)`}
          />
          <Figure testId="ops-lag" label="Worker lag" value={age(p.worker_lag_s)} />
          <Figure
            testId="ops-dead"
            label="Dead letters"
            value={n(p.dead_letters)}
            action={
              // The count opens the dead letters themselves, where each can be replayed.
              <Button size="compact-xs" variant="light" mt={4} onClick={() => setDeadLetters(true)}>
                Open the dead letters
              </Button>
            }
          />
          <Figure testId="ops-grants" label="Grants pending" value={n(p.grants_pending)} />
          {MINTED.map(({ window, testId, label }) => (
            <Figure
              key={window}
              testId={testId}
              label={label}
              value={`${n(p.minted[window].diamond ?? 0)} 💎`}
              hint={`${n(p.minted[window].gold ?? 0)} gold`}
            />
          ))}
          {outboxes.map(
            ({ service, label, query }) =>
              query.data && (
                <Figure
                  key={service}
                  testId={`ops-${service}-outbox`}
                  label={label}
                  value={n(query.data.outbox.backlog)}
                  hint={`oldest unsent ${age(query.data.outbox.oldest_unsent_age_s)}`}
                />
              ),
          )}
        </SimpleGrid>
      )}
      <LoadError what="auth's figures" error={auth.error} />
      <LoadError what="catalog's figures" error={catalog.error} />
      <DeadLettersDialog opened={deadLetters} onClose={() => setDeadLetters(false)} />
    </Screen>
  );
}
