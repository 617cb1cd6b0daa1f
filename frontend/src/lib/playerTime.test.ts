import { describe, expect, it } from "vitest";
import type { QuestProgress } from "../api/types";
import { ApiError } from "../api/errors";
import { progressItem } from "../test/fixtures";
import { claimRefusal, durationWords, timeNotes } from "./playerTime";

const NOW = Date.parse("2026-11-30T12:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;

const at = (ms: number) => new Date(NOW + ms).toISOString();
const texts = (p: QuestProgress) => timeNotes(p, NOW).map((n) => n.text);

describe("durationWords", () => {
  it.each([
    [30_000, "less than a minute"],
    [40 * MIN, "40 min"],
    [5 * HOUR + 12 * MIN, "5 h 12 min"],
    [3 * HOUR, "3 h"],
    [27 * HOUR, "1 day 3 h"],
    [24 * HOUR, "1 day"],
    [50 * HOUR, "2 days"],
  ])("%d ms reads %s", (ms, words) => {
    expect(durationWords(ms)).toBe(words);
  });
});

describe("timeNotes", () => {
  it("says nothing for a quest without time rules", () => {
    expect(texts(progressItem())).toEqual([]);
  });

  it("counts down to the reset", () => {
    expect(texts(progressItem({ period_ends_at: at(5 * HOUR + 12 * MIN + 30_000) }, { reset: "daily" }))).toEqual([
      "resets in 5 h 12 min",
    ]);
  });

  it("says come back tomorrow once today counted on a daily streak", () => {
    const p = progressItem({ counted_today: true, next_count_at: at(9 * HOUR) }, { streak_mode: "daily" });
    expect(texts(p)).toEqual(["come back tomorrow"]);
  });

  it("gives the cooldown's wait on a counting quest", () => {
    const p = progressItem({ counted_today: true, next_count_at: at(40 * MIN) }, { cooldown_s: 3600 });
    expect(texts(p)).toEqual(["next check-in counts in 40 min"]);
  });

  it("speaks of the next event on a quest that counts another event type", () => {
    const p = progressItem({ next_count_at: at(40 * MIN) }, { cooldown_s: 3600, event_type: "match_won" });
    expect(texts(p)).toEqual(["next event counts in 40 min"]);
  });

  it("counts freezes left", () => {
    const daily = { streak_mode: "daily" as const, grace_days: 2 };
    expect(texts(progressItem({ grace_left: 1 }, daily))).toEqual(["1 freeze left"]);
    expect(texts(progressItem({ grace_left: 2 }, daily))).toEqual(["2 freezes left"]);
    expect(timeNotes(progressItem({ grace_left: 0 }, daily), NOW)).toEqual([
      { key: "grace", text: "no freezes left", tone: "warn" },
    ]);
  });

  it("warns before a reward expires and tells when one did", () => {
    const p = progressItem({
      status: "claimable",
      claimable: 1,
      expiring: [{ earned_at: at(-HOUR), expires_at: at(2 * 24 * HOUR + HOUR) }],
      expired: 1,
    });
    expect(texts(p)).toEqual(["claim within 2 days", "1 reward expired unclaimed"]);
  });

  it("drops a note whose moment has passed", () => {
    expect(texts(progressItem({ period_ends_at: at(-MIN), next_count_at: at(-MIN) }))).toEqual([]);
  });
});

describe("claimRefusal", () => {
  it("tells an expired reward from nothing to claim", () => {
    expect(claimRefusal(new ApiError(409, "reward expired"))).toBe("This reward expired: it was not claimed in time.");
    expect(claimRefusal(new ApiError(409, "Nothing to claim on this quest"))).toBe("Nothing to claim on this quest yet.");
    expect(claimRefusal(new ApiError(500, "boom"))).toBeUndefined();
  });
});
