import type {
  CheckInNotice,
  Item,
  QuestCompletedNotice,
  QuestStatus,
  RewardCreditedNotice,
} from "../api/types";

export const ITEM_ICON: Record<Item, string> = { diamond: "💎", gold: "🪙" };
export const ITEM_LABEL: Record<Item, string> = { diamond: "Diamonds", gold: "Gold" };

export function itemIcon(item: string): string {
  return ITEM_ICON[item as Item] ?? "🎁";
}

/** "10 💎" */
export function formatAmount(qty: number, item: string): string {
  return `${qty.toLocaleString("en-US")} ${itemIcon(item)}`;
}

/**
 * "Check-in 2/3 — Sign in three times". The check-in that completes a quest resets the
 * streak to 0 for the next round, so it reads as the full streak (3/3), not 0/3.
 */
export function checkInToast(notice: CheckInNotice): string {
  const step = notice.streak === 0 && notice.completed > 0 ? notice.target : notice.streak;
  return `Check-in ${step}/${notice.target} — ${notice.title}`;
}

/** "Quest complete — claim 10 💎" (or "… — 10 💎 on the way" when it claims itself). */
export function questCompletedToast(notice: QuestCompletedNotice): string {
  const amount = formatAmount(notice.reward_qty, notice.reward_item);
  return notice.auto_claim ? `Quest complete — ${amount} on the way` : `Quest complete — claim ${amount}`;
}

/** "+10 💎 credited" */
export function rewardCreditedToast(notice: RewardCreditedNotice): string {
  return `+${formatAmount(notice.qty, notice.item)} credited`;
}

export const STATUS_LABEL: Record<QuestStatus, string> = {
  in_progress: "In progress",
  claimable: "Ready to claim",
  done: "Done",
};

export const STATUS_COLOR: Record<QuestStatus, string> = {
  in_progress: "blue",
  claimable: "yellow",
  done: "teal",
};

export function formatDateTime(value: string | undefined | null): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "Signed in" for "UserSignIn", "Quest completed" for "QuestCompleted". */
export function humanizeEventType(type: string): string {
  const known: Record<string, string> = {
    UserSignIn: "Signed in",
    NewUserSignIn: "First sign-in",
    QuestProgressed: "Quest progressed",
    QuestCompleted: "Quest completed",
    RewardCredited: "Reward credited",
  };
  if (known[type]) return known[type];
  const words = type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface ToastContent {
  message: string;
  color: string;
}

/** The toast for one SSE notification; null for an event this UI does not know. */
export function toastForNotice(event: string, data: unknown): ToastContent | null {
  if (!data || typeof data !== "object") return null;
  switch (event) {
    case "check_in":
      return { message: checkInToast(data as CheckInNotice), color: "blue" };
    case "quest_completed":
      return { message: questCompletedToast(data as QuestCompletedNotice), color: "yellow" };
    case "reward_credited":
      return { message: rewardCreditedToast(data as RewardCreditedNotice), color: "teal" };
    default:
      return null;
  }
}
