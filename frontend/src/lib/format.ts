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

/**
 * The app's one way of writing a moment: "5 Dec 2026, 08:10" in the browser's time zone.
 * One fixed order (not the browser's locale), so the history, the trace, the audit and the
 * admin tables all read alike, and "03/04" is never a riddle.
 */
const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const TIME = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function formatDateTime(value: string | number | undefined | null): string {
  if (value === undefined || value === null || value === "") return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return DATE_TIME.format(date);
}

/** A calendar date ("2026-12-05", no zone: a player's local day) as "5 Dec 2026". */
export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(`${value.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? value : DATE.format(date);
}

/** A time of day, "08:10:05", for "updated at" stamps. */
export function formatTime(value: number | Date): string {
  return TIME.format(value);
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st… */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n.toLocaleString("en-US")}${suffix}`;
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
