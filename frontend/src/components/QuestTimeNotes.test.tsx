import { MantineProvider } from "@mantine/core";
import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { progressItem } from "../test/fixtures";
import { QuestCard } from "./QuestCard";

const NOW = new Date("2026-11-30T12:00:00Z");

describe("QuestCard time notes", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("counts down to the reset live", () => {
    const resetAt = new Date(NOW.getTime() + (5 * 60 + 12) * 60_000 + 30_000).toISOString();
    render(
      <MantineProvider>
        <QuestCard
          progress={progressItem({ period_ends_at: resetAt }, { reset: "daily" })}
          pending={false}
          onClaim={() => {}}
        />
      </MantineProvider>,
    );
    expect(screen.getByTestId("quest-time-reset")).toHaveTextContent("resets in 5 h 12 min");
    act(() => {
      vi.advanceTimersByTime(61_000);
    });
    expect(screen.getByTestId("quest-time-reset")).toHaveTextContent("resets in 5 h 11 min");
  });

  it("says come back tomorrow, freezes left and the claim deadline", () => {
    const tomorrow = new Date(NOW.getTime() + 12 * 3_600_000).toISOString();
    render(
      <MantineProvider>
        <QuestCard
          progress={progressItem(
            {
              streak: 2,
              counted_today: true,
              next_count_at: tomorrow,
              grace_left: 1,
              expiring: [{ earned_at: NOW.toISOString(), expires_at: new Date(NOW.getTime() + 2 * 86_400_000 + 60_000).toISOString() }],
            },
            { streak_mode: "daily", grace_days: 1, claim_within_s: 172_800 },
          )}
          pending={false}
          onClaim={() => {}}
        />
      </MantineProvider>,
    );
    expect(screen.getByTestId("quest-time-tomorrow")).toHaveTextContent("come back tomorrow");
    expect(screen.getByTestId("quest-time-grace")).toHaveTextContent("1 freeze left");
    expect(screen.getByTestId("quest-time-expiring")).toHaveTextContent("claim within 2 days");
  });

  it("shows no notes for a quest without time rules", () => {
    render(
      <MantineProvider>
        <QuestCard progress={progressItem()} pending={false} onClaim={() => {}} />
      </MantineProvider>,
    );
    expect(screen.queryByTestId("quest-time-notes")).toBeNull();
  });
});

describe("QuestCard at the reset", () => {
  it("asks for fresh progress once the reset has come", async () => {
    const { QueryClient, QueryClientProvider } = await import("@tanstack/react-query");
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, "invalidateQueries");
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    vi.setSystemTime(NOW);
    const resetAt = new Date(NOW.getTime() + 10_000).toISOString();
    render(
      <MantineProvider>
        <QueryClientProvider client={client}>
          <QuestCard progress={progressItem({ period_ends_at: resetAt }, { reset: "daily" })} pending={false} onClaim={() => {}} />
        </QueryClientProvider>
      </MantineProvider>,
    );
    expect(invalidate).not.toHaveBeenCalled();
    act(() => {
      vi.advanceTimersByTime(15_000);
    });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ["me", "quests"] });
    vi.useRealTimers();
  });
});
