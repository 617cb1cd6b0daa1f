import type { BoardPeriod } from "../api/types";

/** What the header's XP bar needs from `GET /users/me`. */
export interface LevelFields {
  xp: number;
  level: number;
  level_starts_at_xp: number;
  next_level_at_xp?: number | null;
}

/** Progress through the current level: 0–100, and the words under the bar. */
export function levelProgress(user: LevelFields): { percent: number; label: string } {
  const next = user.next_level_at_xp;
  if (next === null || next === undefined) {
    return { percent: 100, label: `${user.xp.toLocaleString("en-US")} XP · top level` };
  }
  const span = next - user.level_starts_at_xp;
  const done = Math.min(Math.max(user.xp - user.level_starts_at_xp, 0), span);
  const percent = span > 0 ? Math.floor((done / span) * 100) : 0;
  return {
    percent,
    label: `${user.xp.toLocaleString("en-US")} / ${next.toLocaleString("en-US")} XP to level ${user.level + 1}`,
  };
}

/** When a board starts again, in words: every board is UTC (one board is shared by everyone). */
export function resetNote(period: BoardPeriod): string | null {
  if (period === "week") return "Resets Monday 00:00 UTC";
  if (period === "month") return "Resets on the 1st, 00:00 UTC";
  return null;
}

/** 🥇🥈🥉 by shared rank: equal values share a medal; nobody with nothing gets one. */
export function medal(sharedRank: number, value: number): string | null {
  if (value <= 0) return null;
  return ["🥇", "🥈", "🥉"][sharedRank - 1] ?? null;
}
