import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { QuestTrace } from "../api/operator";
import { TraceTimeline } from "./WhyDialog";

type TraceEvent = QuestTrace["events"][number];

function trace(events: TraceEvent[], target = 500): QuestTrace {
  return {
    completions: [],
    duplication: 1,
    event_type: "gold_spent",
    events,
    measure: "sum",
    grants: [],
    quest_id: "q",
    quest_title: "Big spender",
    requires: [],
    streak_mode: "count",
    streak_target: target,
    user_id: "u",
  };
}

function event(verdict: string, streak: number, id: string): TraceEvent {
  return {
    at: "2026-12-05T08:00:00Z",
    data: { gold: streak },
    event_type: "gold_spent",
    completed: 0,
    completion: false,
    event_id: id,
    local_date: "2026-12-05",
    streak,
    type: "ingest.gold_spent",
    verdict: verdict as TraceEvent["verdict"],
    zone: "UTC",
  };
}

function renderTimeline(props: Parameters<typeof TraceTimeline>[0]) {
  render(
    <MantineProvider>
      <TraceTimeline {...props} />
    </MantineProvider>,
  );
}

describe("TraceTimeline on any event", () => {
  it("speaks of events and of the sum on a sum quest", () => {
    renderTimeline({
      trace: trace([event("counted", 320, "a"), event("filtered_out", 320, "b"), event("locked", 320, "c")]),
      noun: "event",
      sumOf: "gold",
    });
    expect(screen.getByText(/^Adds up gold; 500 to complete/)).toBeInTheDocument();
    expect(screen.getByText("1st event — counted: 320 of 500")).toBeInTheDocument();
    expect(screen.getByText("2nd event — not counted: a condition of the quest did not hold")).toBeInTheDocument();
    expect(screen.getByText("3rd event — not counted: another quest had to be finished first")).toBeInTheDocument();
    // Never the raw verdict code.
    expect(screen.queryByText(/filtered_out|locked$/)).toBeNull();
  });

  it("says no event was recorded, without asking for a sign-in", () => {
    renderTimeline({ trace: trace([]), noun: "event" });
    expect(screen.getByText("No event recorded yet.")).toBeInTheDocument();
  });

  it("keeps the sign-in words by default", () => {
    renderTimeline({ trace: trace([event("counted", 1, "a")], 3) });
    expect(screen.getByText(/^Every sign-in counts; 3 to complete/)).toBeInTheDocument();
    expect(screen.getByText("1st sign-in — counted: 1 of 3")).toBeInTheDocument();
  });
});
