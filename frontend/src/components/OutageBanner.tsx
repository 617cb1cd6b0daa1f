import { Button, Group, Paper, Text } from "@mantine/core";
import { useEffect, useRef } from "react";
import { connectivity } from "../api/connectivity";
import { backoffMs } from "../lib/backoff";
import { useReachable, useSlow } from "./useReachable";

/**
 * One clear message while the server cannot be reached, or answers too slowly, instead of
 * "Failed to fetch" in every toast and panel or a spinner that never ends. It retries by itself
 * with backoff; Retry tries at once. Screens keep what they last showed meanwhile.
 */
export function OutageBanner() {
  const reachable = useReachable();
  const slow = useSlow();
  const well = reachable && !slow;
  const attempt = useRef(0);

  useEffect(() => {
    if (well) {
      attempt.current = 0;
      return;
    }
    let timer: ReturnType<typeof setTimeout>;
    const schedule = () => {
      timer = setTimeout(() => {
        connectivity.retryNow();
        attempt.current++;
        schedule();
      }, backoffMs(attempt.current, 2_000, 30_000));
    };
    schedule();
    return () => clearTimeout(timer);
  }, [well]);

  if (well) return null;
  return (
    <Paper className="outage-banner" withBorder shadow="lg" p="sm" role="alert" data-testid="outage-banner">
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Text size="sm" fw={600} style={{ minWidth: 0 }}>
          {reachable ? "The server is slow to answer — retrying…" : "Can't reach the server — retrying…"}
        </Text>
        <Button
          size="compact-sm"
          variant="light"
          color="yellow"
          style={{ flexShrink: 0 }}
          onClick={() => connectivity.retryNow()}
        >
          Retry
        </Button>
      </Group>
    </Paper>
  );
}
