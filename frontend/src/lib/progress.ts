import type { QuestProgress, QuestStatus } from "../api/types";
import { formatAmount, STATUS_COLOR, STATUS_LABEL } from "./format";

export interface ProgressView {
  status: QuestStatus;
  statusLabel: string;
  statusColor: string;
  /** 0–100 for the progress bar. */
  percent: number;
  /** "2 / 3" */
  streakText: string;
  /** "1 / 2 completed" */
  completionsText: string;
  rewardText: string;
}

/** What a quest card shows, from one progress item (pure, so the rules are tested alone). */
export function progressView(progress: QuestProgress): ProgressView {
  const target = Math.max(1, progress.target);
  // A done quest shows a full bar; otherwise the bar is the streak towards the next reward.
  const streak = progress.status === "done" ? target : Math.min(progress.streak, target);
  return {
    status: progress.status,
    statusLabel: STATUS_LABEL[progress.status] ?? progress.status,
    statusColor: STATUS_COLOR[progress.status] ?? "gray",
    percent: Math.round((streak / target) * 100),
    streakText: `${streak} / ${target}`,
    completionsText: `${progress.completed} / ${progress.duplication} completed`,
    rewardText: formatAmount(progress.quest.reward.reward_qty, progress.quest.reward.reward_item),
  };
}

export interface ClaimButtonView {
  label: string;
  disabled: boolean;
  loading: boolean;
  hint: string | null;
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
    return { label: "Claim", disabled: true, loading: false, hint: "Rewards are credited automatically" };
  }
  const left = Math.max(0, progress.target - progress.streak);
  return {
    label: "Claim",
    disabled: true,
    loading: false,
    hint: `${left} more check-in${left === 1 ? "" : "s"} to go`,
  };
}
