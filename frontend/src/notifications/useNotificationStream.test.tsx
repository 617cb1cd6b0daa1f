import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { act, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { refetchPlayerData } from "./useNotificationStream";

/** A "server" whose answer changes when the worker has processed a sign-in. */
function makeServer() {
  const state = { streak: 2, calls: 0, release: [] as (() => void)[] };
  const fetchQuests = () => {
    state.calls++;
    const answer = state.streak; // read when the request arrives, like a real server
    return new Promise<number>((resolve) => state.release.push(() => resolve(answer)));
  };
  return { state, fetchQuests };
}

function Streak({ fetchQuests }: { fetchQuests: () => Promise<number> }) {
  const query = useQuery({ queryKey: ["me", "quests"], queryFn: fetchQuests });
  return <p>{query.data === undefined ? "loading" : `streak ${query.data}`}</p>;
}

describe("refetchPlayerData", () => {
  it("shows the state after a notice that arrives during the first load", async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const { state, fetchQuests } = makeServer();
    render(
      <QueryClientProvider client={client}>
        <Streak fetchQuests={fetchQuests} />
      </QueryClientProvider>,
    );
    await waitFor(() => expect(state.calls).toBe(1));
    // The worker counts the sign-in and the notice arrives while the first answer is on its way.
    state.streak = 3;
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = refetchPlayerData(client);
    });
    state.release.shift()?.(); // the first, stale answer (streak 2) lands now
    await waitFor(() => expect(state.calls).toBe(2));
    await act(async () => {
      state.release.shift()?.();
      await done;
    });
    expect(await screen.findByText("streak 3")).toBeInTheDocument();
  });
});
