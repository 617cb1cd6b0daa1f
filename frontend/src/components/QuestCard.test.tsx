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
