import { describe, expect, it } from "vitest";
import { progressItem } from "../test/fixtures";
import {
  filterPhrase,
  filtersSentence,
  isLocked,
  joinWords,
  leftWords,
  lockedSentence,
  lockedTitles,
  measureView,
  propertyWords,
} from "./questMeasure";

const sum = (streak: number) =>
  progressItem({ streak, target: 500 }, { event_type: "gold_spent", measure: "sum", measure_property: "gold_spent" });

describe("measureView", () => {
  it("keeps sign-in quests as a streak", () => {
    expect(measureView(progressItem({ streak: 2 }), 2, "Sign in")).toEqual({
      label: "Streak",
      value: "2 / 3",
      summary: "Streak 2 / 3",
    });
  });

  it("adds the summed property to the numbers and names the type", () => {
    expect(measureView(sum(1250.5), 320, "Purchase")).toEqual({
      label: "Purchase",
      value: "320 / 500 gold spent",
      summary: "320 / 500 gold spent · Purchase",
    });
  });

  it("counts another type's events without a unit, and falls back to the type's name", () => {
    const count = progressItem({ streak: 2 }, { event_type: "match_won", measure: "count" });
    expect(measureView(count, 2, "Match won").summary).toBe("2 / 3 · Match won");
    expect(measureView(count, 2, undefined).label).toBe("match_won");
    expect(measureView(count, 2, "  ").label).toBe("match_won");
  });

  it("writes large and fractional sums readably", () => {
    const big = progressItem({ target: 10_000 }, { event_type: "gold_spent", measure: "sum", measure_property: "gold" });
    expect(measureView(big, 1234.567, "Gold").value).toBe("1,234.57 / 10,000 gold");
  });
});

describe("leftWords", () => {
  it("says what is left in the quest's own unit", () => {
    expect(leftWords(sum(320))).toBe("180 more gold spent");
    expect(leftWords(progressItem({ streak: 2 }))).toBe("1 more check-in");
    expect(leftWords(progressItem({ streak: 0 }))).toBe("3 more check-ins");
    expect(leftWords(progressItem({ streak: 1 }, { event_type: "match_won" }))).toBe("2 more");
  });
});

describe("locks", () => {
  it("is unlocked without prerequisites left, whatever the quest requires", () => {
    expect(isLocked(progressItem({}, { requires: ["a"] }))).toBe(false);
    expect(isLocked(progressItem({ locked_by: [] }))).toBe(false);
  });

  it("names what is left by title, by name when a title is missing", () => {
    const progress = progressItem({
      locked_by: [
        { name: "a", title: "First steps" },
        { name: "b", title: "" },
      ],
    });
    expect(isLocked(progress)).toBe(true);
    expect(lockedTitles(progress)).toEqual(["First steps", "b"]);
  });

  it("joins the titles in words", () => {
    expect(lockedSentence(["Sign in three times"])).toBe("Locked — finish Sign in three times first");
    expect(lockedSentence(["A", "B"])).toBe("Locked — finish A and B first");
    expect(lockedSentence(["A", "B", "C"])).toBe("Locked — finish A, B and C first");
  });

  it("joins any number of parts with commas and one final and", () => {
    for (let n = 0; n < 8; n += 1) {
      const parts = Array.from({ length: n }, (_, i) => `p${i}`);
      const joined = joinWords(parts);
      expect(joined.split(" and ").length).toBe(n >= 2 ? 2 : 1);
      expect(joined.split(", ").length).toBe(Math.max(1, n - 1));
      for (const part of parts) expect(joined).toContain(part);
    }
  });
});

describe("filters in words", () => {
  it("quotes texts and writes numbers and comparisons in words", () => {
    expect(filterPhrase({ property: "map", op: "eq", value: "desert" })).toBe("map is “desert”");
    expect(filterPhrase({ property: "map", op: "ne", value: "desert" })).toBe("map is not “desert”");
    expect(filterPhrase({ property: "kills", op: "gt", value: 2 })).toBe("kills is over 2");
    expect(filterPhrase({ property: "kills", op: "lte", value: 1500 })).toBe("kills is at most 1,500");
    expect(filterPhrase({ property: "ranked", op: "eq", value: true })).toBe("ranked is true");
    expect(filterPhrase({ property: "game_mode", op: "in", value: ["duo", "squad", "solo"] })).toBe(
      "game mode is “duo”, “squad” or “solo”",
    );
  });

  it("starts with only when and joins with and; nothing without filters", () => {
    expect(filtersSentence(undefined)).toBeNull();
    expect(filtersSentence([])).toBeNull();
    expect(
      filtersSentence([
        { property: "map", op: "eq", value: "desert" },
        { property: "kills", op: "gte", value: 3 },
      ]),
    ).toBe("only when map is “desert” and kills is at least 3");
  });

  it("turns underscores into spaces", () => {
    expect(propertyWords("gold_spent")).toBe("gold spent");
  });
});
