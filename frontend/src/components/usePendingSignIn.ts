import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { keys } from "../api/queries";
import { getMyEvents } from "../api/processing";
import { session } from "../auth/session";
import { useSession } from "../auth/useSession";
import { SIGN_IN_WAIT_MS, signInRecorded } from "../lib/progress";

const POLL_MS = 2_000;

/**
 * True while this tab's sign-in has not been counted by processing yet (its worker lags or is
 * down): the quest cards say "Counting your sign-in…" rather than show a streak that looks
 * like the sign-in was lost. Watches the player's newest recorded events until it appears,
 * then refreshes the quests.
 */
export function usePendingSignIn(): boolean {
  const state = useSession();
  const queryClient = useQueryClient();
  const since = state.status === "authenticated" ? session.pendingSignIn() : null;
  const waiting = since !== null && Date.now() - since < SIGN_IN_WAIT_MS;
  const newest = useQuery({
    queryKey: [...keys.myEvents, "newest", since],
    queryFn: () => getMyEvents({ limit: 5, offset: 0 }),
    enabled: waiting,
    refetchInterval: POLL_MS,
  });
  const recorded = since !== null && newest.data !== undefined && signInRecorded(newest.data.data.map((e) => e.time), since);
  useEffect(() => {
    if (!recorded) return;
    session.signInCounted();
    void queryClient.invalidateQueries({ queryKey: keys.myQuests });
  }, [recorded, queryClient]);
  return waiting && newest.data !== undefined && !recorded;
}
