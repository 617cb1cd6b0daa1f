import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { timeZoneOptions, zoneChangeRefusal, zoneLabel } from "./timeZones";

describe("time zones", () => {
  it("lists the browser's IANA zones with the current one and UTC", () => {
    const zones = timeZoneOptions("Pacific/Kiritimati");
    expect(zones).toContain("UTC");
    expect(zones).toContain("Pacific/Kiritimati");
    expect(zones).toContain("Europe/Paris");
    expect([...zones].sort()).toEqual(zones);
  });

  it("reads names as words", () => {
    expect(zoneLabel("America/Argentina/Buenos_Aires")).toBe("America / Argentina / Buenos Aires");
  });

  it("words the once-a-week refusal with the next allowed change", () => {
    const refused = new ApiError(409, "time zone changed too recently", null, {
      detail: "time zone changed too recently",
      next_change_at: "2026-12-07T10:00:00Z",
    });
    expect(zoneChangeRefusal(refused)).toMatch(/^You changed your time zone less than 7 days ago\. You can change it again on .+\.$/);
    expect(zoneChangeRefusal(refused)).not.toContain("—");
    expect(zoneChangeRefusal(new ApiError(422, "unknown zone"))).toBeNull();
    expect(zoneChangeRefusal(new Error("x"))).toBeNull();
  });
});
