import { describe, expect, it } from "vitest";
import {
  amountInWords,
  countOf,
  formatAmount,
  formatDate,
  formatDateTime,
  humanizeEventType,
  ledgerReason,
  ordinal,
} from "./format";

describe("formatting helpers", () => {
  it("formats amounts with icons", () => {
    expect(formatAmount(10, "diamond")).toBe("10 💎");
    expect(formatAmount(2, "mystery")).toBe("2 🎁");
  });

  it("says amounts in words, in the right number", () => {
    expect(amountInWords(10, "diamond")).toBe("10 diamonds");
    expect(amountInWords(1, "diamond")).toBe("1 diamond");
    expect(amountInWords(1500, "gold")).toBe("1,500 gold");
    expect(countOf(1, "entry", "entries")).toBe("1 entry");
    expect(countOf(3, "entry", "entries")).toBe("3 entries");
  });

  it("names wallet entries for people, not with the ledger's codes", () => {
    expect(ledgerReason("quest_auto_claim")).toBe("Quest reward (credited automatically)");
    expect(ledgerReason("quest_claim")).toBe("Quest reward (claimed)");
    expect(ledgerReason("Quest: Sign in three times")).toBe("Quest: Sign in three times");
    expect(ledgerReason("welcome_bonus")).toBe("Welcome bonus");
    expect(ledgerReason("")).toBe("—");
  });

  it("names event types for people", () => {
    expect(humanizeEventType("UserSignIn")).toBe("Signed in");
    expect(humanizeEventType("SomethingNewHappened")).toBe("Something new happened");
  });

  it("writes every moment one way, whatever the browser's locale", () => {
    // In the browser's zone, so the day and hour vary with the machine; the shape does not.
    expect(formatDateTime("2026-06-15T12:00:00Z")).toMatch(/^1[456] Jun 2026, \d{2}:\d{2}$/);
    expect(formatDate("2026-03-04")).toBe("4 Mar 2026");
    expect(formatDateTime(null)).toBe("—");
  });

  it("counts in ordinals", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]);
  });
});
