import { ApiError } from "../api/errors";
import type { QuestProgress } from "../api/types";
import { eventTypeOf, SIGN_IN } from "./questMeasure";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "5 h 12 min", "40 min", "1 day 3 h", "2 days", "less than a minute": a wait, for a person. */
export function durationWords(ms: number): string {
  if (ms < MINUTE) return "less than a minute";
  if (ms >= 2 * DAY) return `${Math.floor(ms / DAY)} days`;
  if (ms >= DAY) {
    const hours = Math.floor((ms - DAY) / HOUR);
    return hours > 0 ? `1 day ${hours} h` : "1 day";
  }
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (hours === 0) return `${minutes} min`;
  return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
}

/** A note on a quest card: `tone` picks its colour ("warn" for something about to be lost). */
export interface TimeNote {
  key: "reset" | "tomorrow" | "next" | "grace" | "expiring" | "expired";
  text: string;
  tone: "info" | "warn";
}

function until(at: string | null | undefined, now: number): number | null {
  if (!at) return null;
  const when = Date.parse(at);
  return Number.isNaN(when) ? null : when - now;
}

/**
 * What a player needs to know about time on one quest, in plain words (pure: `now` is given,
 * so the card's countdown re-renders by calling this again).
 */
export function timeNotes(progress: QuestProgress, now: number): TimeNote[] {
  const notes: TimeNote[] = [];
  const { quest } = progress;
  const reset = until(progress.period_ends_at, now);
  if (reset !== null && reset > 0) {
    notes.push({ key: "reset", text: `resets in ${durationWords(reset)}`, tone: "info" });
  }
  const next = until(progress.next_count_at, now);
  const daily = quest.streak_mode === "daily" || quest.reset === "daily";
  if (progress.status !== "claimable" && progress.counted_today && daily && next !== null && next > 0) {
    notes.push({ key: "tomorrow", text: "come back tomorrow", tone: "info" });
  } else if (progress.status === "in_progress" && next !== null && next > 0) {
    const what = eventTypeOf(progress) === SIGN_IN ? "check-in" : "event";
    notes.push({ key: "next", text: `next ${what} counts in ${durationWords(next)}`, tone: "info" });
  }
  if ((quest.grace_days ?? 0) > 0 && progress.status === "in_progress") {
    const left = progress.grace_left;
    notes.push({
      key: "grace",
      text: left === 0 ? "no freezes left" : `${left} ${left === 1 ? "freeze" : "freezes"} left`,
      tone: left === 0 ? "warn" : "info",
    });
  }
  const soonest = progress.expiring[0];
  const expires = until(soonest?.expires_at, now);
  if (expires !== null && expires > 0) {
    notes.push({ key: "expiring", text: `claim within ${durationWords(expires)}`, tone: "warn" });
  }
  if (progress.expired > 0) {
    const n = progress.expired;
    notes.push({ key: "expired", text: `${n} ${n === 1 ? "reward" : "rewards"} expired unclaimed`, tone: "warn" });
  }
  return notes;
}

/** The quest rule fields explained, for the admin form and tooltips. */
export function resetWords(reset: string | undefined): string {
  if (reset === "daily") return "resets every day at the player's local midnight";
  if (reset === "weekly") return "resets every Monday at the player's local midnight";
  return "never resets";
}

/** A refused claim in words: an expired reward is not the same as nothing to claim. */
export function claimRefusal(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.status !== 409) return undefined;
  if (error.detail === "reward expired") return "This reward expired: it was not claimed in time.";
  return "Nothing to claim on this quest yet.";
}
