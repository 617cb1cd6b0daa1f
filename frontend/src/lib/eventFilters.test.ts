import { describe, expect, it } from "vitest";
import { filterToDraft, filterWords, numericProperties, opsFor, parseFilter, type Properties } from "./eventFilters";

const PROPS: Properties = {
  mode: { type: "string", required: true },
  kills: { type: "integer" },
  gold: { type: "number" },
  ranked: { type: "boolean" },
};

describe("event filters", () => {
  it("offers the comparisons the catalog accepts for each type", () => {
    expect(opsFor("string")).toEqual(["eq", "ne", "in"]);
    expect(opsFor("boolean")).toEqual(["eq", "ne"]);
    expect(opsFor("integer")).toContain("gte");
    expect(numericProperties(PROPS)).toEqual(["kills", "gold"]);
  });

  it("turns form rows into typed values", () => {
    expect(parseFilter({ property: "kills", op: "gte", value: " 3 " }, PROPS)).toEqual({
      property: "kills",
      op: "gte",
      value: 3,
    });
    expect(parseFilter({ property: "mode", op: "in", value: "duo, squad," }, PROPS)).toEqual({
      property: "mode",
      op: "in",
      value: ["duo", "squad"],
    });
    expect(parseFilter({ property: "ranked", op: "eq", value: "true" }, PROPS)).toMatchObject({ value: true });
    expect(parseFilter({ property: "gold", op: "lt", value: "2.5" }, PROPS)).toMatchObject({ value: 2.5 });
  });

  it("says in words why a row cannot be a filter", () => {
    expect(parseFilter({ property: "kills", op: "eq", value: "2.5" }, PROPS)).toEqual({ error: "Enter a whole number" });
    expect(parseFilter({ property: "gold", op: "eq", value: "lots" }, PROPS)).toEqual({ error: "Enter a number" });
    expect(parseFilter({ property: "mode", op: "gt", value: "a" }, PROPS)).toEqual({
      error: "“is more than” does not apply to string",
    });
    expect(parseFilter({ property: "mode", op: "in", value: " , " }, PROPS)).toHaveProperty("error");
    expect(parseFilter({ property: "deaths", op: "eq", value: "1" }, PROPS)).toHaveProperty("error");
  });

  it("reads stored filters back and in words", () => {
    const stored = { property: "mode", op: "in" as const, value: ["duo", "squad"] };
    expect(filterToDraft(stored)).toEqual({ property: "mode", op: "in", value: "duo, squad" });
    expect(filterWords(stored)).toBe("mode is one of duo, squad");
    expect(filterWords({ property: "kills", op: "gte", value: 3 })).toBe("kills is at least 3");
  });
});
