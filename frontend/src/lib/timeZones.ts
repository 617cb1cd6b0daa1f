import { ApiError } from "../api/errors";
import { formatDateTime } from "./format";

/** Every IANA zone this browser knows, sorted, always holding `current` and UTC. */
export function timeZoneOptions(current?: string | null): string[] {
  let zones: string[] = [];
  try {
    zones = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  } catch {
    zones = [];
  }
  const all = new Set(zones);
  all.add("UTC");
  if (current) all.add(current);
  return [...all].sort();
}

/** "Europe/Paris" → "Europe / Paris": easier to read in a long list. */
export function zoneLabel(zone: string): string {
  return zone.replace(/_/g, " ").split("/").join(" / ");
}

/** The refusal of a zone change inside the 7-day window, in words; null for other errors. */
export function zoneChangeRefusal(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const body = error.body as { next_change_at?: unknown } | undefined;
  const next = typeof body?.next_change_at === "string" ? body.next_change_at : null;
  return next
    ? `You changed your time zone less than 7 days ago. You can change it again on ${formatDateTime(next)}.`
    : "You changed your time zone less than 7 days ago. Try again later.";
}
