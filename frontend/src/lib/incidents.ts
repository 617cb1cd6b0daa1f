/** Where an incident stands at `now`: only an upcoming one can be withdrawn. */
export type IncidentState = "upcoming" | "ongoing" | "over";

export function incidentState(incident: { starts_at: string; ends_at: string }, now: number): IncidentState {
  if (Date.parse(incident.starts_at) > now) return "upcoming";
  return Date.parse(incident.ends_at) > now ? "ongoing" : "over";
}

export const INCIDENT_STATE_LABEL: Record<IncidentState, string> = {
  upcoming: "Upcoming",
  ongoing: "Ongoing",
  over: "Over",
};

/** A `datetime-local` input's value (the admin's wall clock) as a UTC ISO instant; null if empty or invalid. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The declare form's checks, worded as the server's 422 rules: field → message. */
export function incidentFormErrors(values: { starts_at: string; ends_at: string; reason: string }): Record<string, string> {
  const errors: Record<string, string> = {};
  const starts = localInputToIso(values.starts_at);
  const ends = localInputToIso(values.ends_at);
  if (!starts) errors.starts_at = "When did (or will) the incident start?";
  if (!ends) errors.ends_at = "When did (or will) it end?";
  if (starts && ends && Date.parse(ends) <= Date.parse(starts)) errors.ends_at = "The end must be after the start";
  const reason = values.reason.trim();
  if (!reason) errors.reason = "Say what happened (players' streaks rest on it)";
  else if (reason.length > 200) errors.reason = "At most 200 characters";
  return errors;
}
