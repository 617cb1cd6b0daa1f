import type { QuestFilter, QuestProgress } from "../api/types";

/** The built-in event type: a quest on it reads as it always has ("Streak 2 / 3"). */
export const SIGN_IN = "sign_in";

export function eventTypeOf(progress: QuestProgress): string {
  return progress.quest.event_type ?? SIGN_IN;
}

export function isSumQuest(progress: QuestProgress): boolean {
  return progress.quest.measure === "sum" && Boolean(progress.quest.measure_property);
}

/** "1,250", "12.5": a sum may be fractional; a count never is. */
export function formatQuantity(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** "gold", "gold spent" (from `gold_spent`): a property name as a word on a card. */
export function propertyWords(property: string): string {
  return property.replace(/_/g, " ").trim();
}

/** "A", "A and B", "A, B and C". */
export function joinWords(parts: string[]): string {
  if (parts.length <= 1) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

export interface MeasureView {
  /** What the row counts: "Streak" for sign-ins, otherwise the event type's title. */
  label: string;
  /** "2 / 3", "320 / 500 gold" */
  value: string;
  /** "320 / 500 gold · Gold spent": the whole line, for the progress bar's name. */
  summary: string;
}

/**
 * The progress line of a card. `shown` is the streak the bar shows (see `progressView`), and
 * `typeTitle` the catalog's title of the event type (its name when the catalog has not said).
 */
export function measureView(progress: QuestProgress, shown: number, typeTitle: string | undefined): MeasureView {
  const target = Math.max(1, progress.target);
  const type = eventTypeOf(progress);
  if (type === SIGN_IN && !isSumQuest(progress)) {
    const value = `${shown} / ${target}`;
    return { label: "Streak", value, summary: `Streak ${value}` };
  }
  const label = typeTitle?.trim() || type;
  const unit = isSumQuest(progress) ? ` ${propertyWords(progress.quest.measure_property ?? "")}` : "";
  const value = `${formatQuantity(shown)} / ${formatQuantity(target)}${unit}`;
  return { label, value, summary: `${value} · ${label}` };
}

/** What is left before the next completion, in words: "180 more gold", "1 more check-in". */
export function leftWords(progress: QuestProgress): string {
  const left = Math.max(0, progress.target - progress.streak);
  if (isSumQuest(progress)) return `${formatQuantity(left)} more ${propertyWords(progress.quest.measure_property ?? "")}`;
  if (eventTypeOf(progress) === SIGN_IN) return `${left} more check-in${left === 1 ? "" : "s"}`;
  return `${left} more`;
}

/** The titles of the prerequisites still to finish; empty when the quest counts. */
export function lockedTitles(progress: QuestProgress): string[] {
  return (progress.locked_by ?? []).map((prerequisite) => prerequisite.title || prerequisite.name);
}

export function isLocked(progress: QuestProgress): boolean {
  return lockedTitles(progress).length > 0;
}

/** "Locked — finish Sign in three times first" (the card sets the titles in italics). */
export function lockedSentence(titles: string[]): string {
  return `Locked — finish ${joinWords(titles)} first`;
}

type Scalar = string | number | boolean;

function valueWords(value: Scalar): string {
  if (typeof value === "string") return `“${value}”`;
  if (typeof value === "number") return formatQuantity(value);
  return value ? "true" : "false";
}

const OP_WORDS: Record<QuestFilter["op"], string> = {
  eq: "is",
  ne: "is not",
  in: "is",
  gt: "is over",
  gte: "is at least",
  lt: "is under",
  lte: "is at most",
};

/** "map is “desert”", "mode is “duo” or “squad”", "kills is at least 3". */
export function filterPhrase(filter: QuestFilter): string {
  const property = propertyWords(filter.property);
  if (Array.isArray(filter.value)) {
    const values = filter.value.map(valueWords);
    const choices = values.length <= 1 ? values.join("") : `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
    return `${property} ${filter.op === "ne" ? "is not" : "is"} ${choices}`;
  }
  return `${property} ${OP_WORDS[filter.op]} ${valueWords(filter.value)}`;
}

/** "only when map is “desert” and kills is at least 3"; null without filters. */
export function filtersSentence(filters: QuestFilter[] | undefined): string | null {
  if (!filters || filters.length === 0) return null;
  return `only when ${joinWords(filters.map(filterPhrase))}`;
}
