import type { QuestTrace } from "../api/operator";
import { amountInWords, ordinal } from "./format";
import { verdictView } from "./operator";

type TraceEvent = QuestTrace["events"][number];
export interface RewardAmount {
  qty: number;
  item: string;
}

/**
 * One line of "Why?" in a player's words: which sign-in it was and what it did —
 * "3rd sign-in — quest complete, 10 diamonds claimable" — never the rule engine's counters
 * ("streak 0 · completed 1": the completing step resets the streak for the next round).
 */
export function traceEventWords(
  event: TraceEvent,
  index: number,
  trace: Pick<QuestTrace, "streak_target" | "completions">,
  reward: RewardAmount | null,
  /** What one event of the quest is called: "sign-in", or "event" for any other type. */
  noun = "sign-in",
): string {
  const which = `${ordinal(index + 1)} ${noun}`;
  const progress = `${Math.min(event.streak, trace.streak_target)} of ${trace.streak_target}`;
  if (event.completion) {
    const completion = trace.completions.find((c) => c.event_id === event.event_id);
    const amount = reward ? amountInWords(reward.qty, reward.item) : "the reward";
    return `${which} — quest complete, ${amount} ${completion?.auto_claim ? "credited automatically" : "claimable"}`;
  }
  // A string: the §14 verdicts may arrive before the generated type lists them.
  const verdict: string = event.verdict;
  switch (verdict) {
    case "counted":
      return `${which} — counted: ${progress}`;
    case "grace_used":
      return `${which} — counted: ${progress} (a freeze covered the missed days)`;
    case "streak_reset":
      return `${which} — a day was missed, the streak started again: ${progress}`;
    case "same_day":
      return `${which} — not counted: that day had already counted`;
    case "not_after_last":
      // An older sign-in that arrived late (or a zone further west): its day is before one
      // that already counted, and days only count forward.
      return `${which} — not counted: a later day had already counted`;
    case "cooldown":
      return `${which} — not counted: too soon after the last one`;
    case "done":
      return `${which} — not counted: the quest is already complete`;
    case "outside_window":
      return `${which} — not counted: the quest was not running then`;
    case "filtered_out":
      return `${which} — not counted: a condition of the quest did not hold`;
    case "locked":
      return `${which} — not counted: another quest had to be finished first`;
    case "not_positive":
      return `${which} — not counted: nothing to add`;
    default:
      return `${which} — ${verdictView(event.verdict).label.toLowerCase()}`;
  }
}
