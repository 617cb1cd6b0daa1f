import type { Item, QuestStatus } from "../api/types";

export const ITEM_ICON: Record<Item, string> = { diamond: "💎", gold: "🪙", xp: "✨", badge: "🏅" };
export const ITEM_LABEL: Record<Item, string> = { diamond: "Diamonds", gold: "Gold", xp: "XP", badge: "Badge" };

export function itemIcon(item: string): string {
  return ITEM_ICON[item as Item] ?? "🎁";
}

/** "10 💎" */
export function formatAmount(qty: number, item: string): string {
  return `${qty.toLocaleString("en-US")} ${itemIcon(item)}`;
}

/** "10 diamonds", "1 diamond", "50 gold": the words for an amount. */
export function amountInWords(qty: number, item: string): string {
  const n = qty.toLocaleString("en-US");
  if (item === "diamond") return `${n} ${qty === 1 ? "diamond" : "diamonds"}`;
  if (item === "xp") return `${n} XP`;
  if (item === "badge") return qty === 1 ? "a badge" : `${n} badges`;
  return `${n} ${item}`;
}

/** "1 entry", "3 entries": a count with its noun in the right number. */
export function countOf(count: number, singular: string, plural: string): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? singular : plural}`;
}

/**
 * Why a wallet entry exists, for a person: "Quest reward (claimed)" instead of the ledger's
 * `quest_claim`. The ledger carries only the grant's reason code, not the quest: a reason
 * already written for people ("Quest: Sign in three times") is shown as it is.
 */
export function ledgerReason(reason: string | null | undefined): string {
  const known: Record<string, string> = {
    quest_claim: "Quest reward (claimed)",
    quest_auto_claim: "Quest reward (credited automatically)",
  };
  if (!reason) return "—";
  if (known[reason]) return known[reason];
  if (/^[a-z0-9_]+$/.test(reason)) {
    const words = reason.replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  return reason;
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

/** A day, in the reader's words ("5 Dec 2026"). */
export function formatDate(value: string | undefined | null): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleDateString(undefined, { dateStyle: "medium" });
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
