import { describe, expect, it } from "vitest";
import { progressItem } from "../test/fixtures";
import { claimButtonView, progressView, sortForQuestLog, CLAIM_ECHO_MS, claimRefusalToShow, SIGN_IN_EVENT_LEAD_MS, signInRecorded } from "./progress";

describe("progressView", () => {
  it("shows an in-progress streak", () => {
    const view = progressView(progressItem({ streak: 2 }));
    expect(view).toMatchObject({
      status: "in_progress",
      statusLabel: "In progress",
      streakText: "2 / 3",
      percent: 67,
      completionsText: "0 / 2 completed",
      rewardText: "10 💎",
    });
  });

  it("says ready to claim when a reward is waiting", () => {
    const view = progressView(progressItem({ streak: 0, completed: 1, claimable: 1, status: "claimable" }));
    expect(view.statusLabel).toBe("Ready to claim");
    expect(view.completionsText).toBe("1 / 2 completed");
    // The streak that earned the reward stays full until it is claimed, not "0 / 3".
    expect(view.streakText).toBe("3 / 3");
    expect(view.percent).toBe(100);
  });

  it("names the reward in words, plural when more than one", () => {
    expect(progressView(progressItem()).rewardWords).toBe("10 diamonds");
  });

  it("says Locked, in grey, while prerequisites are left", () => {
    const view = progressView(progressItem({ locked_by: [{ name: "a", title: "A" }] }));
    expect(view).toMatchObject({ locked: true, statusLabel: "Locked", statusColor: "gray" });
    expect(progressView(progressItem()).locked).toBe(false);
  });

  it("shows a sum quest's progress with its unit and the type's title", () => {
    const view = progressView(
      progressItem({ streak: 320, target: 500 }, { event_type: "gold_spent", measure: "sum", measure_property: "gold" }),
      "Gold spent",
    );
    expect(view).toMatchObject({ streakText: "320 / 500 gold", measureLabel: "Gold spent", percent: 64 });
  });

  it("fills the bar of a finished quest", () => {
    const view = progressView(progressItem({ streak: 0, completed: 2, claimed: 2, status: "done" }));
    expect(view.statusLabel).toBe("Done");
    expect(view.percent).toBe(100);
    expect(view.streakText).toBe("3 / 3");
  });
});

describe("claimButtonView", () => {
  it("is enabled with the amount when something is claimable", () => {
    const view = claimButtonView(progressItem({ claimable: 1, completed: 1, status: "claimable" }), false);
    expect(view).toEqual({ label: "Claim 10 💎", disabled: false, loading: false, hint: null });
  });

  it("counts several waiting rewards", () => {
    const view = claimButtonView(progressItem({ claimable: 2, completed: 2, status: "claimable" }), false);
    expect(view.label).toBe("Claim 10 💎 (×2)");
  });

  it("shows pending while the claim is in flight", () => {
    const view = claimButtonView(progressItem({ claimable: 1, status: "claimable" }), true);
    expect(view).toMatchObject({ disabled: true, loading: true, label: "Claiming…" });
  });

  it("is disabled with the check-ins to go when nothing is claimable", () => {
    const view = claimButtonView(progressItem({ streak: 1 }), false);
    expect(view).toMatchObject({ disabled: true, loading: false, hint: "2 more check-ins to go" });
    expect(claimButtonView(progressItem({ streak: 2 }), false).hint).toBe("1 more check-in to go");
  });

  it("is disabled once everything is collected", () => {
    const view = claimButtonView(progressItem({ completed: 2, claimed: 2, status: "done" }), false);
    expect(view).toMatchObject({ label: "Claimed", disabled: true, hint: "All rewards collected" });
  });

  it("says auto-claimed quests credit themselves, without a button", () => {
    const view = claimButtonView(progressItem({ streak: 1 }, { auto_claim: true }), false);
    expect(view).toMatchObject({ label: "Credited automatically", automatic: true });
  });
});

describe("sortForQuestLog", () => {
  it("puts ready-to-claim first and done quests last", () => {
    const done = progressItem({ status: "done" }, { quest_id: "done" });
    const going = progressItem({ status: "in_progress" }, { quest_id: "going" });
    const ready = progressItem({ status: "claimable", claimable: 1 }, { quest_id: "ready" });
    expect(sortForQuestLog([done, going, ready]).map((p) => p.quest.quest_id)).toEqual(["ready", "going", "done"]);
  });

  it("puts locked quests after those that count now, before done ones", () => {
    const lockedBy = [{ name: "a", title: "A" }];
    const locked = progressItem({ status: "in_progress", locked_by: lockedBy }, { quest_id: "locked" });
    const done = progressItem({ status: "done" }, { quest_id: "done" });
    const going = progressItem({ status: "in_progress" }, { quest_id: "going" });
    const earned = progressItem({ status: "claimable", claimable: 1, locked_by: lockedBy }, { quest_id: "earned" });
    expect(sortForQuestLog([done, locked, going, earned]).map((p) => p.quest.quest_id)).toEqual([
      "earned",
      "going",
      "locked",
      "done",
    ]);
  });
});

describe("claimRefusalToShow", () => {
  it("hides a 409 that only repeats a claim that just went through", () => {
    expect(claimRefusalToShow(409, 1_000, 1_000 + CLAIM_ECHO_MS)).toBe(false);
  });

  it("shows a 409 with no success behind it, or an old one, and every other refusal", () => {
    expect(claimRefusalToShow(409, undefined, 5_000)).toBe(true);
    expect(claimRefusalToShow(409, 1_000, 1_001 + CLAIM_ECHO_MS)).toBe(true);
    expect(claimRefusalToShow(500, 1_000, 1_001)).toBe(true);
    expect(claimRefusalToShow(null, 1_000, 1_001)).toBe(true);
  });
});

describe("signInRecorded", () => {
  const signedInAt = Date.parse("2026-12-05T08:00:10Z");

  it("finds the sign-in among the newest events, stamped a moment before its token", () => {
    expect(signInRecorded(["2026-12-05T08:00:09.200Z"], signedInAt)).toBe(true);
    expect(signInRecorded(["2026-12-05T07:00:00Z", "2026-12-05T08:00:10Z"], signedInAt)).toBe(true);
  });

  it("does not take an older sign-in for it", () => {
    expect(signInRecorded([], signedInAt)).toBe(false);
    expect(signInRecorded(["2026-12-05T08:00:10Z"], signedInAt + SIGN_IN_EVENT_LEAD_MS + 1)).toBe(false);
  });
});
