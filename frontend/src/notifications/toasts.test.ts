import { describe, expect, it } from "vitest";
import type { CheckInNotice, Notice, QuestCompletedNotice } from "./notices";
import { checkInSummary, questCompletedToast, rewardCreditedToast, toastsForBurst } from "./toasts";

const signIn3: CheckInNotice = {
  quest_id: "q1",
  quest_name: "sign-in-three-times",
  title: "Sign in three times",
  streak: 2,
  target: 3,
  completed: 0,
  duplication: 2,
  status: "in_progress",
  claimable: 0,
  verdict: "counted",
};
const visit5: CheckInNotice = { ...signIn3, quest_id: "q2", quest_name: "daily-visitor", title: "Visit five days", streak: 1, target: 5 };
const completedData: QuestCompletedNotice = {
    quest_id: "q1",
    quest_name: "sign-in-three-times",
    title: "Sign in three times",
    completed: 1,
    duplication: 2,
    reward_item: "diamond",
    reward_qty: 10,
    auto_claim: false,
};
const completed: Notice = { event: "quest_completed", data: completedData };
const checkIn = (data: CheckInNotice): Notice => ({ event: "check_in", data });

describe("toast texts", () => {
  it("sums one sign-in's check-ins in one line, the completing step as the full streak", () => {
    expect(checkInSummary([signIn3, visit5])).toBe("Check-in: Sign in three times 2/3 · Visit five days 1/5");
    expect(checkInSummary([{ ...signIn3, streak: 0, completed: 1, status: "claimable", claimable: 1 }])).toBe(
      "Check-in: Sign in three times 3/3",
    );
  });

  it("asks to claim a completed quest, or says it is on the way", () => {
    expect(questCompletedToast(completedData)).toBe("Quest complete — claim 10 💎");
    expect(questCompletedToast({ ...completedData, auto_claim: true, reward_item: "gold", reward_qty: 5 })).toBe(
      "Quest complete — 5 🪙 on the way",
    );
  });

  it("announces a credited reward", () => {
    expect(rewardCreditedToast({ quest_id: "q", title: "t", grant_id: "g", item: "gold", qty: 1500 })).toBe("+1,500 🪙 credited");
  });
});

describe("toastsForBurst", () => {
  it("gives one toast for a sign-in with several quests, and one per completion", () => {
    const done = { ...signIn3, streak: 0, completed: 1, status: "claimable" as const, claimable: 1 };
    const toasts = toastsForBurst(
      [checkIn(done), checkIn(visit5), checkIn({ ...visit5, quest_id: "q3", title: "Third" }), checkIn({ ...visit5, quest_id: "q4", title: "Fourth" }), completed],
    );
    expect(toasts.map((t) => t.message)).toEqual([
      "Check-in: Sign in three times 3/3 · Visit five days 1/5 · Third 1/5 · Fourth 1/5",
      "Quest complete — claim 10 💎",
    ]);
  });

  it("keeps the completing check-in even when the quest is now done", () => {
    const last = { ...signIn3, streak: 0, completed: 2, status: "done" as const };
    const toasts = toastsForBurst([checkIn(last), { ...completed, data: { ...completedData, completed: 2 } }]);
    expect(toasts[0].message).toBe("Check-in: Sign in three times 3/3");
  });

  it("tells a game's events apart from a sign-in: progress, not a check-in", () => {
    const spend: CheckInNotice = {
      ...signIn3,
      quest_id: "q9",
      title: "Big spender",
      event_type: "gold_spent",
      streak: 320,
      target: 500,
    };
    const toasts = toastsForBurst([checkIn(spend), checkIn(visit5)]);
    expect(toasts.map((t) => t.message)).toEqual([
      "Check-in: Visit five days 1/5",
      "Progress: Big spender 320/500",
    ]);
  });
});

describe("progression toasts", () => {
  it("says each level reached, in order, and a badge without an amount", () => {
    const notices: Notice[] = [
      { event: "reward_credited", data: { quest_id: "q", title: "T", grant_id: "g", item: "xp", qty: 300 } },
      { event: "level_reached", data: { level: 2 } },
      { event: "level_reached", data: { level: 3 } },
      { event: "reward_credited", data: { quest_id: "q", title: "T", grant_id: "h", item: "badge", qty: 1 } },
    ];
    expect(toastsForBurst(notices).map((t) => t.message)).toEqual([
      "+300 ✨ credited",
      "Level 2 reached",
      "Level 3 reached",
      "🏅 New badge — see your profile",
    ]);
  });
});

describe("a badge quest's completion", () => {
  it("says a badge, not an amount", () => {
    const badgeQuest = { ...completedData, reward_item: "badge" as const, reward_qty: 1, auto_claim: true };
    expect(questCompletedToast(badgeQuest)).toBe("Quest complete — a badge 🏅 on the way");
  });
});
