import type { SourceFigures } from "../client/processing";
import { formatDateTime } from "./format";

/** What the event sources page says of one source's day, from processing's operations figures. */
export interface SourceDay {
  lastSeen: string;
  today: string;
}

const NOTHING = "—";

/**
 * "match_won 120 · gold_spent 4 (2 refused)": the events accepted today per type, busiest first,
 * and the events refused; a dash for a source that sent nothing yet.
 */
export function sourceDay(figures: SourceFigures | undefined): SourceDay {
  if (!figures) return { lastSeen: NOTHING, today: NOTHING };
  const types = Object.entries(figures.events_today)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([type, count]) => `${type} ${count}`);
  const refused = figures.rejected_today > 0 ? `${figures.rejected_today} refused` : "";
  const today = types.length ? types.join(" · ") + (refused ? ` (${refused})` : "") : refused || "none";
  return { lastSeen: formatDateTime(figures.last_seen_at), today };
}

/** The figures by client id. */
export function sourcesById(sources: SourceFigures[] | undefined): Map<string, SourceFigures> {
  return new Map((sources ?? []).map((s) => [s.client_id, s]));
}
