import { describe, expect, it } from "vitest";
import { levelProgress, medal, resetNote } from "./progression";

describe("levelProgress", () => {
  it("fills the bar through the current level", () => {
    expect(levelProgress({ xp: 175, level: 2, level_starts_at_xp: 100, next_level_at_xp: 250 })).toEqual({
      percent: 50,
      label: "175 / 250 XP to level 3",
    });
  });
  it("is empty at a level's start and full at the top level", () => {
    expect(levelProgress({ xp: 0, level: 1, level_starts_at_xp: 0, next_level_at_xp: 100 }).percent).toBe(0);
    expect(levelProgress({ xp: 20000, level: 10, level_starts_at_xp: 12000, next_level_at_xp: null })).toEqual({
      percent: 100,
      label: "20,000 XP · top level",
    });
  });
});

describe("medal", () => {
  it("is shared by equal values and never given for nothing", () => {
    expect([medal(1, 50), medal(1, 50), medal(3, 20), medal(4, 5)]).toEqual(["🥇", "🥇", "🥉", null]);
    expect(medal(1, 0)).toBeNull();
  });
});

describe("resetNote", () => {
  it("says when each board starts again, in UTC", () => {
    expect(resetNote("week")).toBe("Resets Monday 00:00 UTC");
    expect(resetNote("month")).toBe("Resets on the 1st, 00:00 UTC");
    expect(resetNote("all")).toBeNull();
  });
});
