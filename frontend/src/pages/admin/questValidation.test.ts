import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/errors";
import type { QuestInput } from "../../api/types";
import {
  errorSummary,
  fromLocalInput,
  questServerErrors,
  simulationBlockers,
  toLocalInput,
  validateQuest,
} from "./questValidation";

const valid: QuestInput = {
  name: "daily-visitor",
  title: "Visit five days",
  description: "",
  streak: 5,
  duplication: 1,
  auto_claim: true,
  streak_mode: "daily",
  reward_id: "r1",
  is_active: true,
  starts_at: null,
  ends_at: null,
  reset: "none",
  grace_days: 0,
  cooldown_s: 0,
  claim_within_s: null,
  event_type: "sign_in",
  where: [],
  measure: "count",
  measure_property: null,
  requires: [],
};

describe("validateQuest", () => {
  it("accepts a valid quest", () => {
    expect(validateQuest(valid, { creating: true })).toEqual({});
  });

  it("says what is wrong in words, on the right field, without clamping", () => {
    const errors = validateQuest({ ...valid, name: "Daily Visitor!", streak: 0, duplication: -5 }, { creating: true });
    expect(errors).toEqual({
      name: "Use lowercase letters, digits and dashes, e.g. daily-visitor",
      streak: "Target must be at least 1",
      duplication: "Duplication must be at least 1",
    });
  });

  it("does not check the slug of an existing quest (it cannot change)", () => {
    expect(validateQuest({ ...valid, name: "Legacy Name" }, { creating: false })).toEqual({});
  });

  it("wants the end after the start", () => {
    const errors = validateQuest({ ...valid, starts_at: "2026-01-02T00:00:00Z", ends_at: "2026-01-01T00:00:00Z" }, { creating: true });
    expect(errors.ends_at).toBe("The end must be after the start");
  });
});

describe("validateQuest: player time", () => {
  it("accepts the time rules within their bounds", () => {
    const rules = { ...valid, reset: "weekly" as const, grace_days: 2, cooldown_s: 3600, claim_within_s: 86_400 };
    expect(validateQuest(rules, { creating: true })).toEqual({});
  });

  it("puts each broken rule on its own field", () => {
    expect(validateQuest({ ...valid, reset: "daily" }, { creating: true })).toEqual({
      reset: "A daily streak that resets every day could never grow: pick weekly, or count mode",
    });
    expect(validateQuest({ ...valid, streak_mode: "count", grace_days: 1 }, { creating: true })).toEqual({
      grace_days: "Grace days need the once-per-day streak mode (only daily streaks miss days)",
    });
    expect(
      validateQuest({ ...valid, grace_days: 8, cooldown_s: 90_000, claim_within_s: 0 }, { creating: true }),
    ).toEqual({
      grace_days: "Grace days: a whole number from 0 to 7",
      cooldown_s: "Cooldown: whole seconds from 0 to 86400 (one day)",
      claim_within_s: "Claim within: whole seconds, at least 1 (empty: never expires)",
    });
  });
});

describe("questServerErrors", () => {
  it("puts a duplicate name (409) on the Name field", () => {
    expect(questServerErrors(new ApiError(409, "Quest name already exists"))).toEqual({
      name: "A quest with this name exists already: pick another name",
    });
  });

  it.each([
    {
      what: "rewrites the catalog's 422 messages in words",
      detail: [
        { loc: ["body", "name"], msg: "String should match pattern '^[a-z0-9]+(?:-[a-z0-9]+)*$'" },
        { loc: ["body", "streak"], msg: "Input should be greater than or equal to 1" },
        { loc: ["body"], msg: "Value error, ends_at must be after starts_at" },
      ],
      expected: {
        name: "Use lowercase letters, digits and dashes, e.g. daily-visitor",
        streak: "Target must be at least 1",
        ends_at: "The end must be after the start",
      },
    },
    {
      what: "puts the catalog's time-rule 422s on the right field",
      detail: [
        { loc: ["body", "reset"], msg: "reset daily with streak_mode daily is meaningless: the streak would start again" },
        { loc: ["body", "cooldown_s"], msg: "Input should be less than or equal to 86400" },
        { loc: ["body", "grace_days"], msg: "grace_days needs streak_mode daily (only daily streaks miss days)" },
      ],
      expected: {
        reset: "A daily streak that resets every day could never grow: pick weekly, or count mode",
        cooldown_s: "Cooldown (seconds) must be at most 86400",
        grace_days: "Grace days need the once-per-day streak mode (only daily streaks miss days)",
      },
    },
  ])("$what", ({ detail, expected }) => {
    expect(questServerErrors(new ApiError(422, detail))).toEqual(expected);
  });
});

describe("datetime-local conversion", () => {
  it("round-trips an instant through the local input value", () => {
    const iso = "2026-03-01T10:30:00.000Z";
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
    expect(fromLocalInput("")).toBeNull();
    expect(toLocalInput(null)).toBe("");
  });
});

describe("quests on any event", () => {
  it("refuses a sum with a daily streak, a sum of nothing and a quest requiring itself", () => {
    const sum = { ...valid, measure: "sum" as const, measure_property: "gold" };
    expect(validateQuest({ ...sum, streak_mode: "count" }, { creating: true })).toEqual({});
    expect(validateQuest(sum, { creating: true }).measure).toMatch(/counts days, not amounts/);
    const nothing = validateQuest({ ...sum, streak_mode: "count", measure_property: null }, { creating: true });
    expect(nothing.measure_property).toBe("Pick the number to add up");
    const itself = validateQuest({ ...valid, requires: ["daily-visitor"] }, { creating: true });
    expect(itself.requires).toBe("A quest cannot require itself");
  });

  it("puts the catalog's refusals on the fields, in words", () => {
    const error = new ApiError(422, [
      { loc: ["body", "requires"], msg: "prerequisites would go round in a circle: a → b → a", type: "value_error" },
      { loc: ["body", "measure"], msg: "measure sum with streak_mode daily is meaningless: ...", type: "value_error" },
    ]);
    const errors = questServerErrors(error);
    expect(errors.requires).toBe("These prerequisites would go round in a circle (a → b → a)");
    expect(errors.measure).toMatch(/counts days, not amounts/);
  });

  it("counts a filter row's error for the filters in the summary", () => {
    expect(errorSummary({ "where.1.value": "Enter a number" })).toBe("1 field to fix: Filters");
    expect(errorSummary({ "where.1.value": "" })).toBeNull();
  });
});

describe("errorSummary", () => {
  it("names the fields to fix in the form's order", () => {
    const errors = validateQuest({ ...valid, name: "Bad Name", title: "", streak: 0 }, { creating: true });
    expect(errorSummary(errors)).toBe("3 fields to fix: Name, Title, Target");
    expect(errorSummary({ reward_id: "Pick the reward" })).toBe("1 field to fix: Reward");
    expect(errorSummary({})).toBeNull();
  });

  it("lets a draft without a name or title be simulated, never one with broken rules", () => {
    const unnamed = validateQuest({ ...valid, name: "", title: "" }, { creating: true });
    expect(errorSummary(simulationBlockers(unnamed))).toBeNull();
    const broken = validateQuest({ ...valid, name: "", streak: 0, grace_days: 9 }, { creating: true });
    expect(errorSummary(simulationBlockers(broken))).toBe("2 fields to fix: Target, Grace days");
  });
});
