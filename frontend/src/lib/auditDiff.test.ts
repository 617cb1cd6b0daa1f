import { describe, expect, it } from "vitest";
import { auditDiff, valueWords } from "./auditDiff";

describe("auditDiff", () => {
  it("lists only the fields an update changed, nested ones by their path", () => {
    expect(
      auditDiff(
        { title: "Old", streak: 3, is_active: true, reward: { qty: 10, item: "diamond" } },
        { title: "New", streak: 3, is_active: false, reward: { qty: 20, item: "diamond" } },
      ),
    ).toEqual([
      { field: "is_active", before: "yes", after: "no" },
      { field: "reward.qty", before: "10", after: "20" },
      { field: "title", before: "Old", after: "New" },
    ]);
  });

  it("lists what a creation set and what a deletion removed", () => {
    expect(auditDiff(null, { reason: "Failover", ends_at: null })).toEqual([
      { field: "ends_at", before: null, after: "—" },
      { field: "reason", before: null, after: "Failover" },
    ]);
    expect(auditDiff({ role: "admin" }, null)).toEqual([{ field: "role", before: "admin", after: null }]);
  });

  it("says values in words", () => {
    expect(valueWords(["a", "b"])).toBe("a, b");
    expect(valueWords("")).toBe("—");
    expect(valueWords(0)).toBe("0");
    expect(valueWords("2026-06-15T12:00:00.123456+00:00")).toMatch(/^1[456] Jun 2026, \d{2}:\d{2}$/);
  });
});
