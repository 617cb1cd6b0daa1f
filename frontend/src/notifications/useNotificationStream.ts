import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { NOTIFICATIONS_STREAM_URL } from "../api/processing";
import { session } from "../auth/session";
import { toastForNotice } from "../lib/format";
import { SeenIds } from "./seen";
import { openEventStream } from "./sse";

export type StreamStatus = "connecting" | "open" | "retrying" | "stopped";

/** Shows a toast for every notification of the signed-in player and refreshes what changed. */
export function useNotificationStream(userId: string | null): StreamStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>("stopped");

  useEffect(() => {
    if (!userId) return;
    const seen = new SeenIds(typeof sessionStorage === "undefined" ? null : sessionStorage);
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
        void queryClient.invalidateQueries({ queryKey: ["me"] });
      },
    });
    return stop;
  }, [userId, queryClient]);

  return status;
}
