import { formatDateTime } from "./format";

/** An audit entry's before/after as the fields that changed, for people (not raw JSON). */
export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Nested objects become dotted fields ("reward.qty"), so every change is one line. */
function flatten(value: Json, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, inner] of Object.entries(value)) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (isObject(inner) && Object.keys(inner).length > 0) flatten(inner, field, out);
    else out[field] = inner;
  }
  return out;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A value as a short text: strings as they are, instants in the app's one date format,
 * yes/no, lists joined, empty as "—". */
export function valueWords(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "string" && INSTANT.test(value)) return formatDateTime(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.length ? value.map(valueWords).join(", ") : "—";
  if (isObject(value)) return Object.keys(value).length ? JSON.stringify(value) : "—";
  return String(value);
}

/**
 * The fields an admin write changed, sorted by name: a creation lists what it set (before
 * null), a deletion what it removed (after null), an update only what differs.
 */
export function auditDiff(before: Json | null | undefined, after: Json | null | undefined): FieldChange[] {
  const was = before ? flatten(before) : {};
  const now = after ? flatten(after) : {};
  const fields = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort();
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const a = field in was ? valueWords(was[field]) : null;
    const b = field in now ? valueWords(now[field]) : null;
    if (a === b) continue;
    changes.push({ field, before: before ? (a ?? "—") : null, after: after ? (b ?? "—") : null });
  }
  return changes;
}
