import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { NOTIFICATIONS_STREAM_URL } from "../api/processing";
import { session } from "../auth/session";
import { showToast } from "../components/toast";
import { Burst } from "./burst";
import { type Notice, parseNotice } from "./notices";
import { applyNotices, ShownCursor } from "./pushed";
import { openEventStream } from "./sse";
import { toastsForBurst } from "./toasts";

export type StreamStatus = "connecting" | "open" | "retrying" | "stopped";

function browserStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage disabled
  }
}

/**
 * Toasts what the signed-in player's notifications say (one per sign-in), straight from the
 * frames, and writes the pushed quest state into the cache (refetching only what no frame carries).
 */
export function useNotificationStream(userId: string | null): StreamStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>("stopped");

  useEffect(() => {
    if (!userId) return;
    const shown = new ShownCursor(browserStorage(), userId);
    const burst = new Burst<Notice>((notices) => {
      for (const toast of toastsForBurst(notices)) showToast(toast);
      void applyNotices(queryClient, notices);
    });
    const stop = openEventStream({
      url: NOTIFICATIONS_STREAM_URL,
      getToken: session.getToken,
      refresh: session.refresh,
      onStatus: setStatus,
      onMessage: (message) => {
        // A level reached is relayed live and never replayed, so it has no id of its own (the
        // parser hands it the previous message's, as EventSource does): no dedup by id for it.
        if (message.event !== "level_reached" && !shown.advance(message.id)) return;
        const notice = parseNotice(message.event, message.data);
        if (notice) burst.push(notice);
      },
    });
    return () => {
      stop();
      burst.cancel();
    };
  }, [userId, queryClient]);

  return status;
}
