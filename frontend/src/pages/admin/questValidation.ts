import { ApiError, fieldErrors } from "../../api/errors";
import type { QuestInput } from "../../api/types";

export const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_HINT = "Use lowercase letters, digits and dashes, e.g. daily-visitor";

export type QuestErrors = Partial<Record<keyof QuestInput | "_form", string>>;

function wholeAtLeastOne(value: unknown, what: string): string | null {
  const n = typeof value === "number" ? value : Number(value);
  if (value === "" || value === null || value === undefined || Number.isNaN(n)) return `Enter the ${what.toLowerCase()}`;
  if (!Number.isInteger(n)) return `${what} must be a whole number`;
  if (n < 1) return `${what} must be at least 1`;
  return null;
}

/**
 * The quest form's rules in words, checked before sending (the catalog checks them again).
 * Nothing is clamped: 0 or −5 stays in the field with a message, never silently becomes 1.
 */
export function validateQuest(values: QuestInput, { creating }: { creating: boolean }): QuestErrors {
  const errors: QuestErrors = {};
  if (creating) {
    if (!values.name.trim()) errors.name = `Enter a name. ${SLUG_HINT}`;
    else if (values.name.length > 64) errors.name = "At most 64 characters";
    else if (!SLUG_RE.test(values.name)) errors.name = SLUG_HINT;
  }
  if (!values.title.trim()) errors.title = "Enter a title players will see";
  else if (values.title.length > 200) errors.title = "At most 200 characters";
  if (values.description.length > 2000) errors.description = "At most 2000 characters";
  const streak = wholeAtLeastOne(values.streak, "Target");
  if (streak) errors.streak = streak;
  const duplication = wholeAtLeastOne(values.duplication, "Duplication");
  if (duplication) errors.duplication = duplication;
  if (!values.reward_id) errors.reward_id = "Pick the reward this quest pays";
  if (values.starts_at && values.ends_at && Date.parse(values.ends_at) <= Date.parse(values.starts_at)) {
    errors.ends_at = "The end must be after the start";
  }
  // Player time: the catalog's 422 rules, in words.
  if (values.streak_mode === "daily" && values.reset === "daily") {
    errors.reset = "A daily streak that resets every day could never grow: pick weekly, or count mode";
  }
  const grace = Number(values.grace_days);
  if (!Number.isInteger(grace) || grace < 0 || grace > 7) errors.grace_days = "Grace days: a whole number from 0 to 7";
  else if (grace > 0 && values.streak_mode !== "daily") {
    errors.grace_days = "Grace days need the once-per-day streak mode (only daily streaks miss days)";
  }
  const cooldown = Number(values.cooldown_s);
  if (!Number.isInteger(cooldown) || cooldown < 0 || cooldown > 86_400) {
    errors.cooldown_s = "Cooldown: whole seconds from 0 to 86400 (one day)";
  }
  if (values.claim_within_s !== null) {
    const within = Number(values.claim_within_s);
    if (!Number.isInteger(within) || within < 1) errors.claim_within_s = "Claim within: whole seconds, at least 1 (empty: never expires)";
  }
  // Any event: the catalog's 422 rules on the measure and prerequisites, in words.
  if (values.measure === "sum") {
    if (values.streak_mode === "daily") errors.measure = SUM_DAILY;
    else if (!values.measure_property) errors.measure_property = "Pick the number to add up";
  }
  if (values.requires.includes(values.name)) errors.requires = "A quest cannot require itself";
  return errors;
}

const SUM_DAILY = "A once-per-day streak counts days, not amounts: add up in count mode, or count events";

const FIELDS = [
  "name",
  "title",
  "description",
  "streak",
  "duplication",
  "auto_claim",
  "streak_mode",
  "reward_id",
  "is_active",
  "starts_at",
  "ends_at",
  "reset",
  "grace_days",
  "cooldown_s",
  "claim_within_s",
  "event_type",
  "where",
  "measure",
  "measure_property",
  "requires",
] as const;

const LABELS: Record<string, string> = {
  streak: "Target",
  event_type: "Event type",
  measure_property: "Property to add up",
  requires: "Prerequisites",
  grace_days: "Grace days",
  cooldown_s: "Cooldown (seconds)",
  claim_within_s: "Claim within (seconds)",
};

/** The catalog's words for a field, rewritten where pydantic's are for programmers. */
function inWords(field: string, message: string): string {
  if (/pattern/i.test(message)) return SLUG_HINT;
  const label = LABELS[field] ?? `${field.charAt(0).toUpperCase()}${field.slice(1)}`;
  const min = /greater than or equal to (\d+)/.exec(message);
  if (min) return `${label} must be at least ${min[1]}`;
  if (/ends_at must be after starts_at/.test(message)) return "The end must be after the start";
  const max = /less than or equal to (\d+)/.exec(message);
  if (max) return `${label} must be at most ${max[1]}`;
  if (/reset daily with streak_mode daily/.test(message)) {
    return "A daily streak that resets every day could never grow: pick weekly, or count mode";
  }
  if (/grace_days needs streak_mode daily/.test(message)) {
    return "Grace days need the once-per-day streak mode (only daily streaks miss days)";
  }
  if (/measure sum with streak_mode daily/.test(message)) return SUM_DAILY;
  if (/go round in a circle: (.*)$/.test(message)) {
    return `These prerequisites would go round in a circle (${/circle: (.*)$/.exec(message)?.[1] ?? ""})`;
  }
  return message;
}

/** A failed save on the fields it concerns: 422 issues, and a duplicate name (409) on Name. */
export function questServerErrors(error: unknown): QuestErrors {
  if (error instanceof ApiError && error.status === 409) {
    return { name: "A quest with this name exists already: pick another name" };
  }
  const raw = fieldErrors(error, FIELDS);
  const out: QuestErrors = {};
  for (const [field, message] of Object.entries(raw)) {
    const key = field === "_form" && /ends_at/.test(message) ? "ends_at" : field;
    out[key as keyof QuestErrors] = inWords(key, message);
  }
  return out;
}

/** `<input type="datetime-local">` value (local time) ⇄ an ISO instant for the API. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value); // a datetime-local value is read as local time
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The form's fields in the order the form shows them, with their labels (for the summary). */
export const FIELD_LABELS: [keyof QuestInput, string][] = [
  ["name", "Name"],
  ["title", "Title"],
  ["description", "Description"],
  ["reward_id", "Reward"],
  ["event_type", "Event type"],
  ["where", "Filters"],
  ["measure", "Measure"],
  ["measure_property", "Property to add up"],
  ["requires", "Prerequisites"],
  ["streak", "Target"],
  ["duplication", "Duplication"],
  ["starts_at", "Starts at"],
  ["ends_at", "Ends at"],
  ["streak_mode", "Streak mode"],
  ["reset", "Reset"],
  ["grace_days", "Grace days"],
  ["cooldown_s", "Cooldown"],
  ["claim_within_s", "Claim within"],
];

/** "2 fields to fix: Name, Target" — what stands between the draft and Create; null if nothing. */
export function errorSummary(errors: Partial<Record<string, unknown>>): string | null {
  // A list's rows have errors of their own (`where.0.value`): they count for the list.
  const inError = (field: string) =>
    Boolean(errors[field]) || Object.keys(errors).some((key) => key.startsWith(`${field}.`) && errors[key]);
  const labels = FIELD_LABELS.filter(([field]) => inError(field)).map(([, label]) => label);
  if (labels.length === 0) return null;
  return `${labels.length} ${labels.length === 1 ? "field" : "fields"} to fix: ${labels.join(", ")}`;
}

/** What a simulation cannot run with: the rule fields' errors (a dry run needs no name or title). */
export function simulationBlockers(errors: QuestErrors): QuestErrors {
  const { name: _name, title: _title, description: _description, _form, ...rules } = errors;
  return rules;
}
