import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { QuestProgress } from "../api/types";
import { progressItem } from "../test/fixtures";
import { QuestCard } from "./QuestCard";

function renderCard(progress: QuestProgress, { pending = false, onClaim = vi.fn() } = {}) {
  render(
    <MantineProvider>
      <QuestCard progress={progress} pending={pending} onClaim={onClaim} />
    </MantineProvider>,
  );
  return onClaim;
}

describe("QuestCard", () => {
  it("shows the quest, its reward and its progress", () => {
    renderCard(progressItem({ streak: 2 }));
    expect(screen.getByRole("heading", { name: "Sign in three times" })).toBeInTheDocument();
    expect(screen.getByText("Sign in 3 times, get 10 diamonds.")).toBeInTheDocument();
    expect(screen.getByTestId("quest-reward")).toHaveTextContent("10");
    expect(screen.getByLabelText("Reward: 10 💎")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "Streak 2 / 3" })).toHaveAttribute("aria-valuenow", "67");
    expect(screen.getByTestId("quest-completions")).toHaveTextContent("0 / 2 completed");
    expect(screen.getByTestId("quest-status")).toHaveTextContent("In progress");
    expect(screen.getByTestId("claim-button")).toBeDisabled();
  });

  it("claims when ready, by mouse and by keyboard", async () => {
    const onClaim = renderCard(progressItem({ completed: 1, claimable: 1, status: "claimable" }));
    expect(screen.getByTestId("quest-status")).toHaveTextContent("Ready to claim");
    const button = screen.getByRole("button", { name: "Claim 10 💎" });
    expect(button).toBeEnabled();
    await userEvent.click(button);
    button.focus();
    await userEvent.keyboard("{Enter}");
    expect(onClaim).toHaveBeenCalledTimes(2);
  });

  it("shows pending and ignores clicks while claiming", async () => {
    const onClaim = renderCard(progressItem({ completed: 1, claimable: 1, status: "claimable" }), { pending: true });
    const button = screen.getByTestId("claim-button");
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute("data-loading", "true");
    await userEvent.click(button);
    expect(onClaim).not.toHaveBeenCalled();
  });

  it("keeps the earned streak full while the reward waits to be claimed", () => {
    renderCard(progressItem({ streak: 0, completed: 1, claimable: 1, status: "claimable" }));
    expect(screen.getByRole("progressbar", { name: "Streak 3 / 3" })).toHaveAttribute("aria-valuenow", "100");
    expect(screen.getByText("diamonds")).toBeInTheDocument();
  });

  it("says an auto-claim quest credits itself instead of showing a greyed Claim button", () => {
    renderCard(progressItem({ streak: 1 }, { auto_claim: true }));
    expect(screen.queryByRole("button", { name: /claim/i })).toBeNull();
    expect(screen.getByTestId("claim-automatic")).toHaveTextContent("Credited automatically");
  });

  it("is done and disabled when all rewards are collected", () => {
    renderCard(progressItem({ completed: 2, claimed: 2, status: "done" }));
    expect(screen.getByTestId("quest-status")).toHaveTextContent("Done");
    expect(screen.getByTestId("claim-button")).toBeDisabled();
    expect(screen.getByText("All rewards collected")).toBeInTheDocument();
  });
});

/** A quest on another event type than sign-ins, as processing returns it. */
function eventQuest(
  overrides: Partial<QuestProgress> = {},
  questOverrides: Partial<QuestProgress["quest"]> = {},
): QuestProgress {
  return progressItem(
    { target: 500, ...overrides },
    {
      name: "spend-gold",
      title: "Big spender",
      description: "",
      trigger: "event",
      event_type: "gold_spent",
      measure: "sum",
      measure_property: "gold",
      streak: 500,
      ...questOverrides,
    },
  );
}

function renderWithType(progress: QuestProgress, typeTitle?: string, { counting = false } = {}) {
  const onClaim = vi.fn();
  render(
    <MantineProvider>
      <QuestCard progress={progress} typeTitle={typeTitle} counting={counting} pending={false} onClaim={onClaim} />
    </MantineProvider>,
  );
  return onClaim;
}

describe("QuestCard on any event", () => {
  it("shows a sum as the amount so far, the target and what is added up, with the type's title", () => {
    renderWithType(eventQuest({ streak: 320 }), "Gold spent");
    expect(screen.getByTestId("quest-streak")).toHaveTextContent("320 / 500 gold");
    expect(screen.getByTestId("quest-measure")).toHaveTextContent("Gold spent");
    expect(screen.getByRole("progressbar", { name: "320 / 500 gold · Gold spent" })).toHaveAttribute(
      "aria-valuenow",
      "64",
    );
    expect(screen.getByText("180 more gold to go")).toBeInTheDocument();
    expect(screen.queryByTestId("quest-locked")).toBeNull();
  });

  it("writes a fractional sum short and names the type by its name until the catalog gives its title", () => {
    renderWithType(eventQuest({ streak: 12.345 }));
    expect(screen.getByTestId("quest-streak")).toHaveTextContent("12.35 / 500 gold");
    expect(screen.getByTestId("quest-measure")).toHaveTextContent("gold_spent");
  });

  it("shows a count on another event type with the type's title and its filters in words", () => {
    renderWithType(
      eventQuest(
        { streak: 2, target: 3 },
        {
          event_type: "match_won",
          measure: "count",
          measure_property: null,
          streak: 3,
          where: [
            { property: "map", op: "eq", value: "desert" },
            { property: "kills", op: "gte", value: 3 },
          ],
        },
      ),
      "Match won",
      { counting: true },
    );
    expect(screen.getByTestId("quest-streak")).toHaveTextContent(/^2 \/ 3$/);
    expect(screen.getByRole("progressbar", { name: "2 / 3 · Match won" })).toBeInTheDocument();
    expect(screen.getByTestId("quest-filters")).toHaveTextContent("only when map is “desert” and kills is at least 3");
    expect(screen.getByText("1 more to go")).toBeInTheDocument();
    // A sign-in being counted says nothing about a quest on matches.
    expect(screen.queryByTestId("quest-counting")).toBeNull();
  });

  it("says which quest to finish first, muted, with a named lock and nothing to press", () => {
    renderWithType(
      eventQuest({ locked_by: [{ name: "sign-in-three-times", title: "Sign in three times" }] }, { requires: ["sign-in-three-times"] }),
      "Gold spent",
      { counting: true },
    );
    expect(screen.getByTestId("quest-locked")).toHaveTextContent("Locked — finish Sign in three times first");
    expect(screen.getByText("Sign in three times").tagName).toBe("EM");
    expect(screen.getByRole("img", { name: "Locked" })).toBeInTheDocument();
    expect(screen.getByTestId("quest-status")).toHaveTextContent("Locked");
    const card = screen.getByTestId("quest-card");
    expect(card).toHaveClass("quest-card--locked");
    expect(card).toHaveAttribute("data-locked", "true");
    expect(screen.queryByTestId("claim-button")).toBeNull();
    expect(screen.queryByText(/to go$/)).toBeNull();
    expect(screen.queryByTestId("quest-counting")).toBeNull();
    expect(screen.getByTestId("quest-streak")).toHaveTextContent("0 / 500 gold");
  });

  it("joins two prerequisites in words", () => {
    renderWithType(
      eventQuest({
        locked_by: [
          { name: "sign-in-three-times", title: "Sign in three times" },
          { name: "win-a-match", title: "Win a match" },
        ],
      }),
      "Gold spent",
    );
    expect(screen.getByTestId("quest-locked")).toHaveTextContent(
      "Locked — finish Sign in three times and Win a match first",
    );
    expect(screen.getAllByRole("img", { name: "Locked" })).toHaveLength(1);
    expect(screen.queryByTestId("claim-button")).toBeNull();
  });

  it("keeps a reward earned before the lock claimable", () => {
    const onClaim = renderWithType(
      eventQuest({
        status: "claimable",
        completed: 1,
        claimable: 1,
        locked_by: [{ name: "win-a-match", title: "Win a match" }],
      }),
      "Gold spent",
    );
    expect(screen.getByTestId("quest-status")).toHaveTextContent("Ready to claim");
    expect(screen.getByTestId("quest-locked")).toHaveTextContent("Locked — finish Win a match first");
    screen.getByRole("button", { name: "Claim 10 💎" }).click();
    expect(onClaim).toHaveBeenCalledOnce();
  });

  it("leaves a sign-in quest as it was", () => {
    renderWithType(progressItem({ streak: 2 }, { event_type: "sign_in", measure: "count", where: [], requires: [] }), "Sign in", {
      counting: true,
    });
    expect(screen.getByTestId("quest-measure")).toHaveTextContent(/^Streak$/);
    expect(screen.getByTestId("quest-streak")).toHaveTextContent(/^2 \/ 3$/);
    expect(screen.getByRole("progressbar", { name: "Streak 2 / 3" })).toBeInTheDocument();
    expect(screen.getByText("1 more check-in to go")).toBeInTheDocument();
    expect(screen.getByTestId("quest-counting")).toHaveTextContent("Counting your sign-in…");
    expect(screen.queryByTestId("quest-filters")).toBeNull();
    expect(screen.queryByTestId("quest-locked")).toBeNull();
    expect(screen.getByTestId("quest-card")).not.toHaveClass("quest-card--locked");
  });
});
