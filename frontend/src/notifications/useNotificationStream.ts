import { notifications } from "@mantine/notifications";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { NOTIFICATIONS_STREAM_URL } from "../api/processing";
import { session } from "../auth/session";
import { toastForNotice } from "../lib/format";
import { SeenIds } from "./seen";
import { openEventStream } from "./sse";

/**
 * Refetches the player's data after a notification. Cancel first: invalidating a query during
 * its first fetch reuses that fetch, whose answer may predate the notification, and the card
 * would keep showing the old state.
 */
export async function refetchPlayerData(queryClient: QueryClient): Promise<void> {
  await queryClient.cancelQueries({ queryKey: ["me"] });
  await queryClient.invalidateQueries({ queryKey: ["me"] });
}

export type StreamStatus = "connecting" | "open" | "retrying" | "stopped";

/** Shows a toast for every notification of the signed-in player and refreshes what changed. */
export function useNotificationStream(userId: string | null): StreamStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>("stopped");

  useEffect(() => {
    if (!userId) return;
    const seen = new SeenIds(typeof sessionStorage === "undefined" ? null : sessionStorage);
    // A burst of notifications (the replay on connect) refetches once, shortly after the last.
    let refetchTimer: ReturnType<typeof setTimeout> | null = null;
    const refetchMine = () => {
      if (refetchTimer) clearTimeout(refetchTimer);
      refetchTimer = setTimeout(async () => {
        refetchTimer = null;
        await refetchPlayerData(queryClient);
      }, 100);
    };
    const stop = openEventStream({
      url: NOTIFICATIONS_STREAM_URL,
      getToken: session.getToken,
      refresh: session.refresh,
      onStatus: setStatus,
      onMessage: (message) => {
        if (!seen.add(message.id)) return;
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          return;
        }
        const toast = toastForNotice(message.event, data);
        if (!toast) return;
        notifications.show({
          message: toast.message,
          color: toast.color,
          autoClose: 8_000,
          withBorder: true,
        });
        // Progress, balances and history changed on the server: refetch what is on screen.
        refetchMine();
      },
    });
    return () => {
      stop();
      if (refetchTimer) clearTimeout(refetchTimer);
    };
  }, [userId, queryClient]);

  return status;
}
