/** Pure helpers of the operator screens and the personal-data section (tested with vitest). */

import type { AuditEntryPublic, TraceEvent } from "../client/processing";

export type ServiceName = "auth" | "catalog" | "processing";

/** An audit entry: the three services serve the one shape (`quest_common.audit`). */
export type AuditEntry = AuditEntryPublic;

export interface AuditSource {
  service: ServiceName;
  page: { data: AuditEntry[]; count: number };
}

export type MergedAuditEntry = AuditEntry & { service: ServiceName };

export interface AuditFilter {
  service?: ServiceName | null;
  actor?: string;
  action?: string;
}

/** The three services' trails as one, newest first (ties: by service, then id, so stable). */
export function mergeAudits(sources: AuditSource[]): MergedAuditEntry[] {
  const all = sources.flatMap(({ service, page }) => page.data.map((entry) => ({ ...entry, service })));
  return all.sort(
    (a, b) =>
      Date.parse(b.at) - Date.parse(a.at) || a.service.localeCompare(b.service) || a.id.localeCompare(b.id),
  );
}

/** Service: exact. Actor: name or id contains (any case). Action: contains (any case). */
export function filterAudits(entries: MergedAuditEntry[], filter: AuditFilter): MergedAuditEntry[] {
  const actor = (filter.actor ?? "").trim().toLowerCase();
  const action = (filter.action ?? "").trim().toLowerCase();
  return entries.filter(
    (e) =>
      (!filter.service || e.service === filter.service) &&
      (!actor || e.actor_name.toLowerCase().includes(actor) || e.actor_id.toLowerCase().includes(actor)) &&
      (!action || e.action.toLowerCase().includes(action)),
  );
}

/** The distinct actions, for the filter's choices. */
export function auditActions(entries: MergedAuditEntry[]): string[] {
  return [...new Set(entries.map((e) => e.action))].sort();
}

/** Both services' exports as one document (what "Download my data" saves). */
export function mergeExports(parts: { auth: unknown; processing: unknown }, now: Date = new Date()) {
  return { exported_at: now.toISOString(), auth: parts.auth, processing: parts.processing };
}

export function exportFileName(userName: string, now: Date = new Date()): string {
  const safe = userName.replace(/[^A-Za-z0-9_.-]/g, "_") || "player";
  return `quest-data-${safe}-${now.toISOString().slice(0, 10)}.json`;
}

export type Verdict = TraceEvent["verdict"];

/** What each rule verdict means, in a player's words, and the colour of its dot. */
export const VERDICTS: Record<Verdict, { label: string; explain: string; color: string }> = {
  counted: { label: "Counted", explain: "This sign-in moved your streak.", color: "teal" },
  grace_used: { label: "Counted (freeze used)", explain: "Missed days were forgiven.", color: "teal" },
  streak_reset: { label: "Streak restarted", explain: "A missed day started the streak again at 1.", color: "orange" },
  same_day: { label: "Same day", explain: "This day had already counted.", color: "gray" },
  not_after_last: {
    label: "Earlier day",
    explain: "A later day had already counted, and days only count forward.",
    color: "gray",
  },
  cooldown: { label: "Too soon", explain: "It came before the cooldown was over.", color: "gray" },
  done: { label: "Quest done", explain: "The quest was already completed as often as it can be.", color: "gray" },
  outside_window: { label: "Outside the quest's window", explain: "The quest was not running then.", color: "gray" },
  filtered_out: { label: "Did not match", explain: "One of the quest's conditions did not hold.", color: "gray" },
  locked: { label: "Locked", explain: "A quest to finish first was not finished yet.", color: "gray" },
  not_positive: { label: "Nothing to add", explain: "The amount was missing, zero or negative.", color: "gray" },
};

/**
 * Verdicts of quests on any event (DESIGN §14) that the trace's generated type may not list
 * yet: named here so that a newer processing never shows a player a raw code.
 */
const EVENT_VERDICTS: Record<string, { label: string; explain: string; color: string }> = {
  filtered_out: { label: "Not this kind", explain: "A condition of the quest did not hold for it.", color: "gray" },
  locked: { label: "Locked", explain: "Another quest had to be finished first.", color: "gray" },
  not_positive: { label: "Nothing to add", explain: "Its number was not above 0.", color: "gray" },
};

export function verdictView(verdict: string): { label: string; explain: string; color: string } {
  return VERDICTS[verdict as Verdict] ?? EVENT_VERDICTS[verdict] ?? { label: verdict, explain: "", color: "gray" };
}

/** 0..1 → a whole percentage for a progress bar. */
export function percent(progress: number): number {
  if (!Number.isFinite(progress)) return 0;
  return Math.round(Math.min(Math.max(progress, 0), 1) * 100);
}

/** The histogram as sorted rows: [completions, players]. */
export function histogramRows(histogram: Record<string, number>): [number, number][] {
  return Object.entries(histogram)
    .map(([k, v]) => [Number(k), v] as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

/** A signed quantity from the adjustment form, or a message saying what is wrong. */
export function parseAdjustment(qty: string | number, reason: string): { qty: number } | { error: string } {
  const value = typeof qty === "number" ? qty : Number(qty.trim());
  if (!Number.isInteger(value) || value === 0) return { error: "Enter a whole number other than 0 (− to take away)" };
  if (!reason.trim()) return { error: "Say why (it is kept in the ledger and the audit trail)" };
  return { qty: value };
}

/** Seconds as a short age: "0 s", "42 s", "3 min", "2 h". */
export function age(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
