import { describe, expect, it } from "vitest";
import { incidentFormErrors, incidentState, localInputToIso } from "./incidents";

const NOW = Date.parse("2026-11-30T12:00:00Z");

describe("incidents", () => {
  it("tells upcoming, ongoing and over apart", () => {
    expect(incidentState({ starts_at: "2026-12-01T00:00:00Z", ends_at: "2026-12-01T02:00:00Z" }, NOW)).toBe("upcoming");
    expect(incidentState({ starts_at: "2026-11-30T11:00:00Z", ends_at: "2026-11-30T13:00:00Z" }, NOW)).toBe("ongoing");
    expect(incidentState({ starts_at: "2026-11-29T11:00:00Z", ends_at: "2026-11-29T13:00:00Z" }, NOW)).toBe("over");
  });

  it("turns a local input into a UTC instant", () => {
    expect(localInputToIso("")).toBeNull();
    expect(localInputToIso("not a date")).toBeNull();
    expect(localInputToIso("2026-11-30T10:00")).toBe(new Date("2026-11-30T10:00").toISOString());
  });

  it("checks the window and the reason like the server", () => {
    expect(incidentFormErrors({ starts_at: "2026-11-30T10:00", ends_at: "2026-11-30T11:00", reason: "outage" })).toEqual({});
    expect(incidentFormErrors({ starts_at: "2026-11-30T10:00", ends_at: "2026-11-30T10:00", reason: " " })).toEqual({
      ends_at: "The end must be after the start",
      reason: "Say what happened (players' streaks rest on it)",
    });
    expect(incidentFormErrors({ starts_at: "", ends_at: "", reason: "x".repeat(201) })).toEqual({
      starts_at: "When did (or will) the incident start?",
      ends_at: "When did (or will) it end?",
      reason: "At most 200 characters",
    });
  });
});
