import { describe, expect, it } from "vitest";
import { ApiError, describeDetail, fieldErrors } from "./errors";
import { parseRetryAfter } from "./http";

const QUEST_FIELDS = ["name", "title", "streak"] as const;

describe("fieldErrors", () => {
  it("puts each 422 message on the field it names", () => {
    const error = new ApiError(422, [
      { loc: ["body", "name"], msg: "String should match pattern '^[a-z0-9]+(?:-[a-z0-9]+)*$'", type: "x" },
      { loc: ["body", "streak"], msg: "Input should be greater than or equal to 1", type: "x" },
      { loc: ["body"], msg: "Value error, ends_at must be after starts_at", type: "x" },
    ]);
    expect(fieldErrors(error, QUEST_FIELDS)).toEqual({
      name: "String should match pattern '^[a-z0-9]+(?:-[a-z0-9]+)*$'",
      streak: "Input should be greater than or equal to 1",
      _form: "ends_at must be after starts_at",
    });
  });

  it("reports other errors on the form", () => {
    expect(fieldErrors(new ApiError(409, "A quest named x exists"), QUEST_FIELDS)).toEqual({
      _form: "A quest named x exists",
    });
    expect(fieldErrors(new TypeError("Failed to fetch"), QUEST_FIELDS)).toEqual({ _form: "Failed to fetch" });
  });
});

describe("describeDetail", () => {
  it("reads strings and issue lists", () => {
    expect(describeDetail("Not enough privileges")).toBe("Not enough privileges");
    expect(describeDetail([{ loc: ["body", "password"], msg: "too short" }])).toBe("password: too short");
  });
});

describe("http helpers", () => {
  it("reads Retry-After in seconds", () => {
    expect(parseRetryAfter("42")).toBe(42);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
  });

});
