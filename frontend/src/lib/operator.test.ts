import { describe, expect, it } from "vitest";
import {
  age,
  auditActions,
  exportFileName,
  filterAudits,
  histogramRows,
  mergeAudits,
  mergeExports,
  parseAdjustment,
  percent,
  verdictView,
} from "./operator";

const entry = (id: string, at: string, action: string, actor_name = "grace") => ({
  id,
  at,
  actor_id: `id-${actor_name}`,
  actor_name,
  action,
  target_type: "t",
  target_id: "x",
  before: null,
  after: null,
});

describe("audit merging", () => {
  const merged = mergeAudits([
    { service: "auth", page: { data: [entry("a1", "2026-01-02T10:00:00Z", "user.update")], count: 1 } },
    {
      service: "catalog",
      page: { data: [entry("c1", "2026-01-03T10:00:00Z", "quest.create", "ada"), entry("c2", "2026-01-01T10:00:00Z", "reward.create")], count: 2 },
    },
    { service: "processing", page: { data: [entry("p1", "2026-01-02T10:00:00Z", "dead_letter.replay")], count: 1 } },
  ]);

  it("puts the newest first across services, ties in a stable order", () => {
    expect(merged.map((e) => e.id)).toEqual(["c1", "a1", "p1", "c2"]);
    expect(merged[0].service).toBe("catalog");
  });

  it("filters by service, actor and action", () => {
    expect(filterAudits(merged, { service: "catalog" }).map((e) => e.id)).toEqual(["c1", "c2"]);
    expect(filterAudits(merged, { actor: "ADA" }).map((e) => e.id)).toEqual(["c1"]);
    expect(filterAudits(merged, { action: "replay" }).map((e) => e.id)).toEqual(["p1"]);
    expect(filterAudits(merged, { service: "auth", action: "quest" })).toEqual([]);
    expect(auditActions(merged)).toEqual(["dead_letter.replay", "quest.create", "reward.create", "user.update"]);
  });
});

describe("personal data", () => {
  it("merges both exports into one document", () => {
    const now = new Date("2026-05-01T12:00:00Z");
    expect(mergeExports({ auth: { a: 1 }, processing: { p: 2 } }, now)).toEqual({
      exported_at: "2026-05-01T12:00:00.000Z",
      auth: { a: 1 },
      processing: { p: 2 },
    });
    expect(exportFileName("ada lovelace/x", now)).toBe("quest-data-ada_lovelace_x-2026-05-01.json");
  });
});

describe("small views", () => {
  it("words verdicts, including unknown ones", () => {
    expect(verdictView("same_day").label).toBe("Same day");
    expect(verdictView("not_after_last").label).toBe("Earlier day");
    expect(verdictView("streak_reset").color).toBe("orange");
    expect(verdictView("later_rule").label).toBe("later_rule");
  });

  it("bounds percentages and sorts histograms", () => {
    expect([percent(-1), percent(0.456), percent(2), percent(Number.NaN)]).toEqual([0, 46, 100, 0]);
    expect(histogramRows({ "10": 1, "2": 5, "0": 7 })).toEqual([
      [0, 7],
      [2, 5],
      [10, 1],
    ]);
  });

  it("checks an adjustment", () => {
    expect(parseAdjustment("-5", "refund")).toEqual({ qty: -5 });
    expect(parseAdjustment("0", "x")).toHaveProperty("error");
    expect(parseAdjustment("1.5", "x")).toHaveProperty("error");
    expect(parseAdjustment(3, "  ")).toHaveProperty("error");
  });

  it("words ages", () => {
    expect([age(0), age(42), age(180), age(7200)]).toEqual(["0 s", "42 s", "3 min", "2 h"]);
  });
});
