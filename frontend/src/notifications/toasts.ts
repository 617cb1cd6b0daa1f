import { formatAmount } from "../lib/format";
import type { CheckInNotice, LevelReachedNotice, Notice, QuestCompletedNotice, RewardCreditedNotice } from "./notices";

/** What a toast says and how it looks. Information uses role="status"; errors use "alert". */
export interface ToastContent {
  message: string;
  color: string;
}

/**
 * "Sign in three times 2/3". The check-in that completes a quest resets the streak to 0 for
 * the next round, so it reads as the full streak (3/3), not 0/3.
 */
export function checkInStep(notice: CheckInNotice): string {
  const step = notice.streak === 0 && notice.completed > 0 ? notice.target : notice.streak;
  return `${notice.title} ${step}/${notice.target}`;
}

/** One line for every quest one sign-in moved: "Check-in: Sign in three times 3/3 · Visit five days 1/5". */
export function checkInSummary(notices: CheckInNotice[]): string {
  return `Check-in: ${notices.map(checkInStep).join(" · ")}`;
}

/** "Quest complete — claim 10 💎" (or "… — 10 💎 on the way" when it claims itself). */
export function questCompletedToast(notice: QuestCompletedNotice): string {
  const amount = notice.reward_item === "badge" ? "a badge 🏅" : formatAmount(notice.reward_qty, notice.reward_item);
  return notice.auto_claim ? `Quest complete — ${amount} on the way` : `Quest complete — claim ${amount}`;
}

/** "+10 💎 credited"; a badge is not an amount: "🏅 New badge — see your profile". */
export function rewardCreditedToast(notice: RewardCreditedNotice): string {
  if (notice.item === "badge") return "🏅 New badge — see your profile";
  return `+${formatAmount(notice.qty, notice.item)} credited`;
}

/** "Level 5 reached" */
export function levelReachedToast(notice: LevelReachedNotice): string {
  return `Level ${notice.level} reached`;
}

/** The last check-in state of a quest this browser has seen, to tell a step from a repeat. */
export interface KnownStep {
  streak: number;
  completed: number;
}

/**
 * Whether a check-in moved its quest. Processing reports every active quest on every sign-in,
 * also those that did not move (already done, or daily and already counted today): those get
 * no toast. A quest this browser never saw moved unless it is done and did not just complete.
 */
export function checkInMoved(notice: CheckInNotice, known: KnownStep | undefined, justCompleted: boolean): boolean {
  if (justCompleted) return true;
  if (known) return known.streak !== notice.streak || known.completed !== notice.completed;
  return notice.status !== "done";
}

/**
 * The toasts for a burst of notices (what one sign-in, or one reconnect, brings): one summary of
 * the check-ins that moved, then one toast per completion and per credit, in arrival order.
 */
export function toastsForBurst(notices: Notice[], known: (questId: string) => KnownStep | undefined): ToastContent[] {
  const completedQuests = new Set(
    notices.filter((n) => n.event === "quest_completed").map((n) => n.data.quest_id),
  );
  // The latest check-in per quest wins (several sign-ins may arrive together after a reconnect).
  const latest = new Map<string, CheckInNotice>();
  for (const notice of notices) {
    if (notice.event === "check_in") latest.set(notice.data.quest_id, notice.data);
  }
  const moved = [...latest.values()].filter((n) =>
    checkInMoved(n, known(n.quest_id), completedQuests.has(n.quest_id)),
  );
  const toasts: ToastContent[] = [];
  if (moved.length > 0) toasts.push({ message: checkInSummary(moved), color: "blue" });
  for (const notice of notices) {
    if (notice.event === "quest_completed") {
      toasts.push({ message: questCompletedToast(notice.data), color: "yellow" });
    } else if (notice.event === "reward_credited") {
      toasts.push({ message: rewardCreditedToast(notice.data), color: "teal" });
    } else if (notice.event === "level_reached") {
      toasts.push({ message: levelReachedToast(notice.data), color: "grape" });
    }
  }
  return toasts;
}
