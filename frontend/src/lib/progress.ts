import type { QuestProgress, QuestStatus } from "../api/types";
import { amountInWords, formatAmount, STATUS_COLOR, STATUS_LABEL } from "./format";
import { isLocked, leftWords, measureView } from "./questMeasure";

export interface ProgressView {
  status: QuestStatus;
  /** Prerequisites are left: nothing counts here yet. */
  locked: boolean;
  statusLabel: string;
  statusColor: string;
  /** 0–100 for the progress bar. */
  percent: number;
  /** "2 / 3"; "320 / 500 gold" on a sum quest */
  streakText: string;
  /** What the progress row counts: "Streak", or the event type's title ("Match won"). */
  measureLabel: string;
  /** "320 / 500 gold · Gold spent": the progress bar's accessible name. */
  measureSummary: string;
  /** "1 / 2 completed" */
  completionsText: string;
  rewardText: string;
  /** "10 diamonds" */
  rewardWords: string;
}

/**
 * What a quest card shows, from one progress item (pure, so the rules are tested alone).
 * `typeTitle` is the catalog's title of the quest's event type, when known.
 */
export function progressView(progress: QuestProgress, typeTitle?: string): ProgressView {
  const target = Math.max(1, progress.target);
  // The completing step resets the streak to 0 for the next round. Until the reward is claimed
  // (and once the quest is done) the bar shows the streak that earned it, full: an empty bar
  // next to "Ready to claim" reads as lost progress.
  const showEarned = progress.status === "done" || (progress.claimable > 0 && progress.streak === 0);
  const streak = showEarned ? target : Math.min(progress.streak, target);
  const measure = measureView(progress, streak, typeTitle);
  // A reward earned before a prerequisite was added stays claimable: "Ready to claim" wins.
  const locked = isLocked(progress) && progress.status === "in_progress";
  return {
    status: progress.status,
    locked,
    statusLabel: locked ? "Locked" : (STATUS_LABEL[progress.status] ?? progress.status),
    statusColor: locked ? "gray" : (STATUS_COLOR[progress.status] ?? "gray"),
    percent: Math.round((streak / target) * 100),
    streakText: measure.value,
    measureLabel: measure.label,
    measureSummary: measure.summary,
    completionsText: `${progress.completed} / ${progress.duplication} completed`,
    rewardText: formatAmount(progress.quest.reward.reward_qty, progress.quest.reward.reward_item),
    rewardWords: amountInWords(progress.quest.reward.reward_qty, progress.quest.reward.reward_item),
  };
}

export interface ClaimButtonView {
  label: string;
  disabled: boolean;
  loading: boolean;
  hint: string | null;
  /** No button at all: the quest credits its reward itself. */
  automatic?: boolean;
}

/** The Claim button: pending while a claim is in flight, disabled when nothing is claimable. */
export function claimButtonView(progress: QuestProgress, pending: boolean): ClaimButtonView {
  const amount = formatAmount(progress.quest.reward.reward_qty, progress.quest.reward.reward_item);
  if (pending) return { label: "Claiming…", disabled: true, loading: true, hint: null };
  if (progress.claimable > 0) {
    const times = progress.claimable > 1 ? ` (×${progress.claimable})` : "";
    return { label: `Claim ${amount}${times}`, disabled: false, loading: false, hint: null };
  }
  if (progress.status === "done") {
    return { label: "Claimed", disabled: true, loading: false, hint: "All rewards collected" };
  }
  if (progress.quest.auto_claim) {
    // Nothing to press: no greyed button, a sentence instead (the card renders no button).
    return { label: "Credited automatically", disabled: true, loading: false, hint: null, automatic: true };
  }
  return { label: "Claim", disabled: true, loading: false, hint: `${leftWords(progress)} to go` };
}

const STATUS_ORDER: Record<QuestStatus, number> = { claimable: 0, in_progress: 1, done: 3 };

/** Where a quest goes in the log: a locked one waits behind those that count now. */
function logRank(progress: QuestProgress): number {
  const rank = STATUS_ORDER[progress.status] ?? 1;
  return progress.status === "in_progress" && isLocked(progress) ? 2 : rank;
}

/**
 * Quests to act on first: ready to claim, then in progress, then locked, then done (stable
 * otherwise).
 */
export function sortForQuestLog(items: QuestProgress[]): QuestProgress[] {
  return [...items].sort((a, b) => logRank(a) - logRank(b));
}

/**
 * How long after a successful claim a 409 for the same quest is the echo of that success (a
 * second press, another tab, a retried request) rather than news for the player.
 */
export const CLAIM_ECHO_MS = 10_000;

/** Whether to show a claim refusal: not when it only repeats a claim that just went through. */
export function claimRefusalToShow(status: number | null, lastSuccessAt: number | undefined, now: number): boolean {
  if (status !== 409) return true;
  return lastSuccessAt === undefined || now - lastSuccessAt > CLAIM_ECHO_MS;
}

/**
 * Auth stamps a sign-in event a moment before it signs the token that answers the sign-in
 * (the password check and the SQL lie between): an event that much older than the token is
 * still that sign-in. A sign-in the player made that close before is the same thing to them.
 */
export const SIGN_IN_EVENT_LEAD_MS = 3_000;

/** Whether processing has recorded the sign-in that happened at `signedInAt` (auth's clock),
 * given the times of the player's newest recorded events. */
export function signInRecorded(eventTimes: string[], signedInAt: number): boolean {
  return eventTimes.some((time) => Date.parse(time) >= signedInAt - SIGN_IN_EVENT_LEAD_MS);
}

/** Past this, the page stops waiting for a sign-in to be counted (it may have been refused). */
export const SIGN_IN_WAIT_MS = 10 * 60_000;
