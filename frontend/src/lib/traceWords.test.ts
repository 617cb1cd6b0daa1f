import { describe, expect, it } from "vitest";
import type { QuestTrace } from "../api/operator";
import { traceEventWords } from "./traceWords";

type TraceEvent = QuestTrace["events"][number];

function event(
  verdict: TraceEvent["verdict"],
  streak: number,
  completion = false,
  id = "e",
  eventType = "sign_in",
): TraceEvent {
  return {
    at: "2026-12-05T08:00:00Z",
    data: {},
    event_type: eventType,
    completed: completion ? 1 : 0,
    completion,
    event_id: id,
    local_date: "2026-12-05",
    streak,
    type: "UserSignIn",
    verdict,
    zone: "UTC",
  };
}

const trace = { streak_target: 3, completions: [{ at: "x", auto_claim: false, event_id: "done", number: 1 }] };
const reward = { qty: 10, item: "diamond" };

describe("traceEventWords", () => {
  it("says which sign-in it was and how far it took the streak", () => {
    expect(traceEventWords(event("counted", 1), 0, trace, reward)).toBe("1st sign-in — counted: 1 of 3");
    expect(traceEventWords(event("counted", 2), 1, trace, reward)).toBe("2nd sign-in — counted: 2 of 3");
  });

  it("names the completing sign-in by what it earned, not the reset counters", () => {
    // The rule engine reports streak 0 on the completing step (the next round starts).
    expect(traceEventWords(event("counted", 0, true, "done"), 2, trace, reward)).toBe(
      "3rd sign-in — quest complete, 10 diamonds claimable",
    );
    const auto = { ...trace, completions: [{ ...trace.completions[0], auto_claim: true }] };
    expect(traceEventWords(event("counted", 0, true, "done"), 2, auto, { qty: 1, item: "gold" })).toBe(
      "3rd sign-in — quest complete, 1 gold credited automatically",
    );
  });

  it("says why a sign-in did not count, in words", () => {
    expect(traceEventWords(event("same_day", 1), 10, trace, reward)).toBe(
      "11th sign-in — not counted: that day had already counted",
    );
    expect(traceEventWords(event("not_after_last", 1), 3, trace, reward)).toBe(
      "4th sign-in — not counted: a later day had already counted",
    );
    expect(traceEventWords(event("cooldown", 1), 21, trace, reward)).toBe(
      "22nd sign-in — not counted: too soon after the last one",
    );
  });
});

describe("traceEventWords on any event", () => {
  const any = (verdict: string) => event(verdict as TraceEvent["verdict"], 0);

  it("names an event of another type and its §14 verdicts in words", () => {
    expect(traceEventWords(any("counted"), 0, trace, reward, "event")).toBe("1st event — counted: 0 of 3");
    expect(traceEventWords(any("filtered_out"), 1, trace, reward, "event")).toBe(
      "2nd event — not counted: a condition of the quest did not hold",
    );
    expect(traceEventWords(any("locked"), 2, trace, reward, "event")).toBe(
      "3rd event — not counted: another quest had to be finished first",
    );
    expect(traceEventWords(any("not_positive"), 3, trace, reward, "event")).toBe("4th event — not counted: nothing to add");
  });
});
