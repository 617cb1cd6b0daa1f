import { describe, expect, it } from "vitest";
import { sourceDay, sourcesById } from "./sources";

const figures = (events_today: Record<string, number>, rejected_today = 0) => ({
  client_id: "c1",
  events_today,
  last_seen_at: "2026-12-05T08:00:00Z",
  rejected_today,
});

describe("sourceDay", () => {
  it("lists the day's types busiest first and what was refused", () => {
    const day = sourceDay(figures({ gold_spent: 4, match_won: 120 }, 2));
    expect(day.today).toBe("match_won 120 · gold_spent 4 (2 refused)");
    expect(day.lastSeen).not.toBe("—");
  });

  it("says none for a source seen today with nothing accepted, and a dash for one never seen", () => {
    expect(sourceDay(figures({})).today).toBe("none");
    expect(sourceDay(figures({}, 3)).today).toBe("3 refused");
    expect(sourceDay(undefined)).toEqual({ lastSeen: "—", today: "—" });
  });

  it("finds a source's figures by its client id", () => {
    expect(sourcesById([figures({ a: 1 })]).get("c1")?.events_today).toEqual({ a: 1 });
    expect(sourcesById(undefined).size).toBe(0);
  });
});
