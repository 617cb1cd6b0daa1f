import type { QueryClient } from "@tanstack/react-query";
import { keys } from "../api/queries";
import type { Page, QuestProgress } from "../api/types";
import type { CheckInNotice, Notice } from "./notices";

/**
 * The quest list with a check-in's pushed state on its quest: the frame carries the quest's
 * new counters, status and the player's time (counted today, when the next event counts, the
 * freezes left), so the card moves without asking the server again.
 */
export function withCheckIn(page: Page<QuestProgress>, notice: CheckInNotice): Page<QuestProgress> {
  const { quest_id, streak, target, status, claimable, completed, duplication } = notice;
  // The player's time as the worker saw it after this event (a frame from before these fields
  // existed keeps what the list said).
  const time =
    notice.time_zone === undefined
      ? {}
      : {
          time_zone: notice.time_zone,
          counted_today: notice.counted_today ?? false,
          next_count_at: notice.next_count_at ?? null,
          grace_left: notice.grace_left ?? 0,
        };
  return {
    ...page,
    data: page.data.map((p) =>
      p.quest.quest_id === quest_id
        ? { ...p, streak, target, status, claimable, completed, duplication, ...time }
        : p,
    ),
  };
}

function isQuestList(queryKey: readonly unknown[]): boolean {
  return keys.myQuests.every((part, index) => queryKey[index] === part);
}

/**
 * Brings the player's cached data up to date after a burst of notices. Check-ins are written
 * into the cached quest list from their frames; a credit changes what a frame does not carry
 * (claimed rewards), so then the list is fetched again. Balances, history and badges are never
 * in a frame: they are always refetched.
 *
 * Cancel first: a fetch in flight may have been answered before the notice, and its answer
 * would overwrite the pushed state (a first load that is cancelled has no list to write into,
 * so it is fetched again).
 */
export async function applyNotices(queryClient: QueryClient, notices: readonly Notice[]): Promise<void> {
  await queryClient.cancelQueries({ queryKey: keys.me });
  const checkIns = notices.flatMap((notice) => (notice.event === "check_in" ? [notice.data] : []));
  const cached = queryClient.getQueryData<Page<QuestProgress>>(keys.myQuests);
  const pushed = cached !== undefined && checkIns.length > 0 && notices.every((notice) => notice.event !== "reward_credited");
  if (pushed) {
    queryClient.setQueryData<Page<QuestProgress>>(keys.myQuests, checkIns.reduce(withCheckIn, cached));
  }
  await queryClient.invalidateQueries({ queryKey: keys.me, predicate: (query) => !(pushed && isQuestList(query.queryKey)) });
}

/**
 * The newest notification id this browser has shown, shared by its tabs through localStorage.
 * The stream replays the last minute on every connect (so the toast of the sign-in just made
 * appears) and sends each notification to every open tab; ids increase, so one number says
 * what a new tab, a reload or a second tab must not show again.
 */
export class ShownCursor {
  private readonly key: string;
  private last = 0;

  constructor(
    private readonly storage: Storage | null,
    userId: string,
  ) {
    this.key = `quest.notifications-shown.${userId}`;
  }

  private stored(): number {
    try {
      const value = Number(this.storage?.getItem(this.key) ?? 0);
      return Number.isFinite(value) ? value : 0;
    } catch {
      return 0; // storage disabled: this tab's memory still counts
    }
  }

  /** Records `id` as shown; false when this browser already showed it (or a later one). */
  advance(id: string | null): boolean {
    const seq = Number(id);
    if (!id || !Number.isFinite(seq)) return true;
    this.last = Math.max(this.last, this.stored());
    if (seq <= this.last) return false;
    this.last = seq;
    try {
      this.storage?.setItem(this.key, String(seq));
    } catch {
      // Storage full or disabled: this tab's memory still counts.
    }
    return true;
  }
}
