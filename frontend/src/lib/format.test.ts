import { describe, expect, it } from "vitest";
import { checkInToast, formatAmount, humanizeEventType, questCompletedToast, rewardCreditedToast, toastForNotice } from "./format";

const checkIn = {
  quest_id: "q",
  quest_name: "sign-in-three-times",
  title: "Sign in three times",
  streak: 2,
  target: 3,
  completed: 0,
  duplication: 2,
  status: "in_progress" as const,
  claimable: 0,
};

describe("toast texts", () => {
  it("shows the streak of a check-in", () => {
    expect(checkInToast(checkIn)).toBe("Check-in 2/3 — Sign in three times");
  });

  it("shows the completing check-in as the full streak, not the reset 0", () => {
    expect(checkInToast({ ...checkIn, streak: 0, completed: 1, status: "claimable", claimable: 1 })).toBe(
      "Check-in 3/3 — Sign in three times",
    );
  });

  it("shows the first check-in of a fresh quest as 1/3", () => {
    expect(checkInToast({ ...checkIn, streak: 1 })).toBe("Check-in 1/3 — Sign in three times");
  });

  it("asks to claim a completed quest", () => {
    const notice = {
      quest_id: "q",
      quest_name: "n",
      title: "Sign in three times",
      completed: 1,
      duplication: 2,
      reward_item: "diamond" as const,
      reward_qty: 10,
      auto_claim: false,
    };
    expect(questCompletedToast(notice)).toBe("Quest complete — claim 10 💎");
    expect(questCompletedToast({ ...notice, auto_claim: true, reward_item: "gold", reward_qty: 5 })).toBe(
      "Quest complete — 5 🪙 on the way",
    );
  });

  it("announces a credited reward with the item's icon", () => {
    const notice = { quest_id: "q", title: "t", grant_id: "g", item: "diamond" as const, qty: 10 };
    expect(rewardCreditedToast(notice)).toBe("+10 💎 credited");
    expect(rewardCreditedToast({ ...notice, item: "gold", qty: 1500 })).toBe("+1,500 🪙 credited");
  });

  it("picks the toast by SSE event name and ignores unknown events", () => {
    expect(toastForNotice("check_in", checkIn)?.message).toBe("Check-in 2/3 — Sign in three times");
    expect(toastForNotice("reward_credited", { item: "gold", qty: 3 })?.message).toBe("+3 🪙 credited");
    expect(toastForNotice("something_else", checkIn)).toBeNull();
    expect(toastForNotice("check_in", null)).toBeNull();
  });
});

describe("formatting helpers", () => {
  it("formats amounts with icons", () => {
    expect(formatAmount(10, "diamond")).toBe("10 💎");
    expect(formatAmount(2, "mystery")).toBe("2 🎁");
  });

  it("names event types for people", () => {
    expect(humanizeEventType("UserSignIn")).toBe("Signed in");
    expect(humanizeEventType("SomethingNewHappened")).toBe("Something new happened");
  });
});
