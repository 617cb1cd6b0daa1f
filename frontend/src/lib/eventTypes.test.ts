import { describe, expect, it } from "vitest";
import { propertiesWords, toEventTypeInput, validateEventType } from "./eventTypes";

const valid = {
  name: "match_won",
  title: "Match won",
  description: "",
  properties: [
    { name: "mode", type: "string" as const, required: true },
    { name: "kills", type: "integer" as const, required: false },
  ],
};

describe("event type form", () => {
  it("accepts a valid type and sends its properties by name", () => {
    expect(validateEventType(valid, { creating: true })).toEqual({});
    expect(toEventTypeInput(valid).properties).toEqual({
      mode: { type: "string", required: true },
      kills: { type: "integer", required: false },
    });
  });

  it("says what is wrong on the field", () => {
    const errors = validateEventType(
      {
        ...valid,
        name: "Match.Won",
        title: " ",
        properties: [...valid.properties, { name: "mode", type: "number", required: false }, { name: "9x", type: "string", required: false }],
      },
      { creating: true },
    );
    expect(errors.name).toMatch(/Lowercase letters/);
    expect(errors.title).toBe("Enter a title admins will see");
    expect(errors["properties.2.name"]).toBe("Named twice");
    expect(errors["properties.3.name"]).toMatch(/not starting with a digit/);
    // The name is fixed once created.
    expect(validateEventType({ ...valid, name: "" }, { creating: false }).name).toBeUndefined();
  });

  it("lists properties in words", () => {
    expect(propertiesWords(toEventTypeInput(valid).properties)).toBe("mode (string, required), kills (integer)");
    expect(propertiesWords({})).toBe("no properties");
  });
});
