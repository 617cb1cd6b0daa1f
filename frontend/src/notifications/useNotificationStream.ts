import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { NOTIFICATIONS_STREAM_URL } from "../api/processing";
import { keys } from "../api/queries";
import { session } from "../auth/session";
import { showToast } from "../components/toast";
import { Burst } from "./burst";
import { type Notice, parseNotice } from "./notices";
import { SeenIds } from "./seen";
import { openEventStream } from "./sse";
import { toastsForBurst } from "./toasts";

/**
 * Refetches the player's data after a notification. Cancel first: invalidating a query during
 * its first fetch reuses that fetch, whose answer may predate the notification, and the card
 * would keep showing the old state.
 */
export async function refetchPlayerData(queryClient: QueryClient): Promise<void> {
  await queryClient.cancelQueries({ queryKey: keys.me });
  await queryClient.invalidateQueries({ queryKey: keys.me });
}

export type StreamStatus = "connecting" | "open" | "retrying" | "stopped";

function browserStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage disabled
  }
}

/** Toasts what the signed-in player's notifications say (one per sign-in) and refreshes what changed. */
export function useNotificationStream(userId: string | null): StreamStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>("stopped");

  useEffect(() => {
    if (!userId) return;
    const storage = browserStorage();
    const seen = new SeenIds(storage);
    const burst = new Burst<Notice>((notices) => {
      for (const toast of toastsForBurst(notices)) showToast(toast);
      // Progress, balances and history changed on the server: refetch what is on screen.
      void refetchPlayerData(queryClient);
    });
    const stop = openEventStream({
      url: NOTIFICATIONS_STREAM_URL,
      getToken: session.getToken,
      refresh: session.refresh,
      onStatus: setStatus,
      onMessage: (message) => {
        // A level reached is relayed live and never replayed, so it has no id of its own (the
        // parser hands it the previous message's, as EventSource does): no dedup by id for it.
        if (message.event !== "level_reached" && !seen.add(message.id)) return;
        const notice = parseNotice(message.event, message.data);
        if (notice) burst.push(notice);
      },
    });
    return () => {
      stop();
      burst.cancel();
      seen.close();
    };
  }, [userId, queryClient]);

  return status;
}
