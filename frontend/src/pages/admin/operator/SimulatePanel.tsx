import { Alert, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useInputState } from "@mantine/hooks";
import { useEffect, useState } from "react";
import { getSimulation, type SimulationPublic, startSimulation } from "../../../api/operator";
import type { QuestInput } from "../../../api/types";
import { DataTable } from "../../../components/DataTable";
import { ErrorAlert } from "../../../components/FormParts";
import { amountInWords } from "../../../lib/format";
import { histogramRows, percent } from "../../../lib/operator";

const POLL_MS = 500;

function daysAgo(days: number): string {
  const at = new Date(Date.now() - days * 86_400_000);
  at.setSeconds(0, 0);
  return at.toISOString().slice(0, 16);
}

/** "Simulate": a dry run of the draft quest over the recorded sign-ins of a window, with a
 * progress bar and the result (nothing is written for any player). */
export function SimulatePanel({
  draft,
  blocked = null,
}: {
  draft: () => QuestInput;
  /** What in the draft must be fixed first ("1 field to fix: Target"); a dry run of a quest
   * that could not be saved would answer a question nobody asked. */
  blocked?: string | null;
}) {
  const [since, setSince] = useInputState(daysAgo(30));
  const [until, setUntil] = useInputState("");
  const [job, setJob] = useState<SimulationPublic | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  const running = job?.state === "running";
  useEffect(() => {
    if (!job || job.state !== "running") return;
    const timer = window.setTimeout(() => {
      getSimulation(job.simulation_id)
        .then(setJob)
        .catch((e: Error) => setError(e.message));
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [job]);

  const simulate = async () => {
    setError(null);
    setStarting(true);
    try {
      const started = await startSimulation({
        quest: draft(),
        since: new Date(since).toISOString(),
        until: until ? new Date(until).toISOString() : null,
      });
      setJob({ simulation_id: started.simulation_id, state: "running", progress: 0 } as SimulationPublic);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setStarting(false);
    }
  };

  return (
    <Paper withBorder p="sm" radius="md" data-testid="simulate-panel">
      <Stack gap="xs">
        <Text fw={600} size="sm">
          Simulate (dry run)
        </Text>
        <Text size="xs" c="dimmed">
          Replays the recorded sign-ins of a window through this draft: what it would have counted and minted. No
          player's progress changes.
        </Text>
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
          <TextInput
            type="datetime-local"
            label="Since"
            size="xs"
            value={since}
            onChange={setSince}
          />
          <TextInput
            type="datetime-local"
            label="Until"
            description="Empty: now"
            size="xs"
            value={until}
            onChange={setUntil}
          />
        </SimpleGrid>
        <Group>
          <Button
            size="xs"
            variant="light"
            onClick={() => void simulate()}
            loading={starting || running}
            disabled={blocked !== null}
          >
            Simulate
          </Button>
          {blocked && (
            <Text size="xs" c="dimmed" data-testid="simulate-blocked">
              Fix the draft first — {blocked.replace(/^\d+ fields? to fix: /, "")}
            </Text>
          )}
        </Group>
        <ErrorAlert error={error} testId="simulate-error" />
        {job && (
          <Progress
            value={percent(job.progress)}
            size="md"
            radius="xl"
            animated={running}
            aria-label={`Simulation ${percent(job.progress)}%`}
            data-testid="simulate-progress"
          />
        )}
        {job?.state === "failed" && <Alert color="red">The simulation failed: {job.error}</Alert>}
        {job?.state === "done" && <SimulationResult result={job} />}
      </Stack>
    </Paper>
  );
}

export function SimulationResult({ result }: { result: SimulationPublic }) {
  const minted = result.minted ?? {};
  const histogram = histogramRows(result.completions_histogram ?? {});
  return (
    <Stack gap={4} data-testid="simulate-result">
      <SimpleGrid cols={2} spacing={4}>
        <Text size="sm">Sign-ins replayed</Text>
        <Text size="sm" fw={600}>
          {(result.events_replayed ?? 0).toLocaleString("en-US")}
        </Text>
        <Text size="sm">Players</Text>
        <Text size="sm" fw={600}>
          {(result.players ?? 0).toLocaleString("en-US")}
        </Text>
        <Text size="sm">Completions</Text>
        <Text size="sm" fw={600} data-testid="simulate-completions">
          {(result.completions ?? 0).toLocaleString("en-US")}
        </Text>
        <Text size="sm">Players completing</Text>
        <Text size="sm" fw={600}>
          {(result.players_completing ?? 0).toLocaleString("en-US")}
        </Text>
        <Text size="sm">Would mint</Text>
        <Text size="sm" fw={600}>
          {amountInWords(minted.diamond ?? 0, "diamond")}, {amountInWords(minted.gold ?? 0, "gold")}
        </Text>
      </SimpleGrid>
      {histogram.length > 0 && (
        <DataTable
          striped
          withTableBorder
          fz="xs"
          aria-label="Completions per player"
          rows={histogram}
          rowKey={([completions]) => String(completions)}
          columns={[
            { header: "Completions", cell: ([completions]) => completions },
            { header: "Players", cell: ([, players]) => players },
          ]}
        />
      )}
    </Stack>
  );
}
