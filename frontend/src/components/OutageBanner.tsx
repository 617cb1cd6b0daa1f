import { Button, Group, Paper, Text } from "@mantine/core";
import { useEffect, useRef } from "react";
import { connectivity } from "../api/connectivity";
import { backoffMs } from "../lib/backoff";
import { useReachable } from "./useReachable";

/**
 * One clear message while the server cannot be reached, instead of "Failed to fetch" in every
 * toast and panel. It retries by itself with backoff; Retry tries at once.
 */
export function OutageBanner() {
  const reachable = useReachable();
  const attempt = useRef(0);

  useEffect(() => {
    if (reachable) {
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
  }, [reachable]);

  if (reachable) return null;
  return (
    <Paper className="outage-banner" withBorder shadow="lg" p="sm" role="alert" data-testid="outage-banner">
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Text size="sm" fw={600}>
          Can't reach the server — retrying…
        </Text>
        <Button size="compact-sm" variant="light" color="yellow" onClick={() => connectivity.retryNow()}>
          Retry
        </Button>
      </Group>
    </Paper>
  );
}
