import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { act, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { keys } from "../api/queries";
import type { Page, QuestProgress } from "../api/types";
import { progressItem } from "../test/fixtures";
import type { CheckInNotice, Notice } from "./notices";
import { applyNotices, ShownCursor, withCheckIn } from "./pushed";

const QUEST_ID = progressItem().quest.quest_id;

function checkInData(overrides: Partial<CheckInNotice> = {}): CheckInNotice {
  return {
    quest_id: QUEST_ID,
    quest_name: "sign-in-three-times",
    title: "Sign in three times",
    completed: 0,
    duplication: 2,
    streak: 3,
    target: 3,
    status: "in_progress",
    claimable: 0,
    verdict: "counted",
    ...overrides,
  };
}

function checkIn(overrides: Partial<CheckInNotice> = {}): Notice {
  return { event: "check_in", data: checkInData(overrides) };
}

const credit: Notice = {
  event: "reward_credited",
  data: { quest_id: QUEST_ID, title: "Sign in three times", grant_id: "g1", item: "diamond", qty: 10 },
};

/** A "server" whose answer changes when the worker has processed a sign-in; each answer waits for `release`. */
function makeServer() {
  const state = { streak: 2, calls: 0, release: [] as (() => void)[] };
  const fetchQuests = () => {
    state.calls++;
    const answer: Page<QuestProgress> = { count: 1, data: [progressItem({ streak: state.streak })] }; // read on arrival
    return new Promise<Page<QuestProgress>>((resolve) => state.release.push(() => resolve(answer)));
  };
  return { state, fetchQuests };
}

function Streak({ fetchQuests }: { fetchQuests: () => Promise<Page<QuestProgress>> }) {
  const query = useQuery({ queryKey: keys.myQuests, queryFn: fetchQuests });
  return <p>{query.data === undefined ? "loading" : `streak ${query.data.data[0]?.streak}`}</p>;
}

function renderStreak() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const server = makeServer();
  render(
    <QueryClientProvider client={client}>
      <Streak fetchQuests={server.fetchQuests} />
    </QueryClientProvider>,
  );
  return { client, ...server };
}

describe("withCheckIn", () => {
  it("writes the frame's counters and status on its quest only", () => {
    const other = progressItem({ streak: 1 }, { quest_id: "another" });
    const page = { count: 2, data: [progressItem({ streak: 2 }), other] };
    const after = withCheckIn(page, checkInData({ completed: 1, streak: 0, status: "claimable", claimable: 1 }));
    expect(after.data[0]).toMatchObject({ completed: 1, streak: 0, status: "claimable", claimable: 1 });
    expect(after.data[0]?.quest).toBe(page.data[0]?.quest);
    expect(after.data[1]).toBe(other);
    expect(page.data[0]?.streak).toBe(2); // the cached page itself is not changed
  });

  it("writes the player's time the frame carries: counted today, the next count, freezes left", () => {
    const page = { count: 1, data: [progressItem({ streak: 1, counted_today: false, grace_left: 2 })] };
    const next = "2026-12-06T23:00:00Z";
    const after = withCheckIn(
      page,
      checkInData({ streak: 2, time_zone: "Europe/Paris", counted_today: true, next_count_at: next, grace_left: 1 }),
    );
    expect(after.data[0]).toMatchObject({
      streak: 2,
      time_zone: "Europe/Paris",
      counted_today: true,
      next_count_at: next,
      grace_left: 1,
    });
  });
});

describe("applyNotices", () => {
  it("shows the state after a notice that arrives during the first load", async () => {
    const { client, state } = renderStreak();
    await waitFor(() => expect(state.calls).toBe(1));
    // The worker counts the sign-in and the notice arrives while the first answer is on its way.
    state.streak = 3;
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = applyNotices(client, [checkIn({ streak: 3 })]);
    });
    state.release.shift()?.(); // the first, stale answer (streak 2) lands now
    await waitFor(() => expect(state.calls).toBe(2));
    await act(async () => {
      state.release.shift()?.();
      await done;
    });
    expect(await screen.findByText("streak 3")).toBeInTheDocument();
  });

  it("puts a check-in's pushed state on the card without fetching the list again", async () => {
    const { client, state } = renderStreak();
    await waitFor(() => expect(state.calls).toBe(1));
    await act(async () => state.release.shift()?.());
    expect(await screen.findByText("streak 2")).toBeInTheDocument();
    await act(() => applyNotices(client, [checkIn({ streak: 1 }), checkIn({ streak: 3 })]));
    expect(await screen.findByText("streak 3")).toBeInTheDocument();
    expect(state.calls).toBe(1);
  });

  it("fetches the list again after a credit, which no frame describes", async () => {
    const { client, state } = renderStreak();
    await waitFor(() => expect(state.calls).toBe(1));
    await act(async () => state.release.shift()?.());
    state.streak = 0;
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = applyNotices(client, [checkIn({ streak: 3 }), credit]);
    });
    await waitFor(() => expect(state.calls).toBe(2));
    await act(async () => {
      state.release.shift()?.();
      await done;
    });
    expect(await screen.findByText("streak 0")).toBeInTheDocument();
  });
});

describe("ShownCursor", () => {
  afterEach(() => localStorage.clear());

  it("shows each notification once in this browser, whichever tab saw it first", () => {
    const tabA = new ShownCursor(localStorage, "u1");
    const tabB = new ShownCursor(localStorage, "u1"); // opened before A showed anything
    expect(tabA.advance("7")).toBe(true);
    expect(tabA.advance("7")).toBe(false);
    expect(tabB.advance("7")).toBe(false);
    const newTab = new ShownCursor(localStorage, "u1");
    expect(newTab.advance("6")).toBe(false); // replayed, older than what was shown
    expect(newTab.advance("9")).toBe(true);
    expect(newTab.advance("10")).toBe(true);
    expect(tabA.advance("10")).toBe(false);
    // Another player signed in on this browser has their own cursor.
    expect(new ShownCursor(localStorage, "u2").advance("8")).toBe(true);
  });

  it("lets id-less messages through, and counts in memory without storage", () => {
    expect(new ShownCursor(null, "u1").advance(null)).toBe(true);
    const memoryOnly = new ShownCursor(null, "u1");
    expect(memoryOnly.advance("3")).toBe(true);
    expect(memoryOnly.advance("3")).toBe(false);
  });
});
