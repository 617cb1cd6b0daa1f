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

/** One line for the quests a game's events moved: "Progress: Big spender 320/500 · Win twice 1/2". */
export function progressSummary(notices: CheckInNotice[]): string {
  return `Progress: ${notices.map(checkInStep).join(" · ")}`;
}

const isSignIn = (notice: CheckInNotice) => (notice.event_type ?? "sign_in") === "sign_in";

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

/**
 * The toasts for a burst of notices (what one sign-in, or one reconnect, brings): one summary of
 * the check-ins, then one toast per completion and per credit, in arrival order. Processing sends
 * a check-in only when the sign-in moved its quest, so each one is worth telling.
 */
export function toastsForBurst(notices: Notice[]): ToastContent[] {
  // The latest check-in per quest wins (several sign-ins may arrive together after a reconnect).
  const latest = new Map<string, CheckInNotice>();
  for (const notice of notices) {
    if (notice.event === "check_in") latest.set(notice.data.quest_id, notice.data);
  }
  const toasts: ToastContent[] = [];
  const moved = [...latest.values()];
  const signIns = moved.filter(isSignIn);
  const others = moved.filter((notice) => !isSignIn(notice));
  if (signIns.length > 0) toasts.push({ message: checkInSummary(signIns), color: "blue" });
  if (others.length > 0) toasts.push({ message: progressSummary(others), color: "blue" });
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
