import { describe, expect, it } from "vitest";
import { parseNotice } from "./notices";

const checkIn = {
  quest_id: "q1",
  quest_name: "sign-in-three-times",
  title: "Sign in three times",
  completed: 0,
  duplication: 2,
  streak: 1,
  target: 3,
  status: "in_progress",
  claimable: 0,
  verdict: "counted",
};

describe("parseNotice", () => {
  it("reads a payload of the event's shape", () => {
    expect(parseNotice("check_in", JSON.stringify(checkIn))).toEqual({ event: "check_in", data: checkIn });
  });

  it("refuses an unknown event, unreadable data, or data not of the event's shape", () => {
    expect(parseNotice("ping", JSON.stringify(checkIn))).toBeNull();
    expect(parseNotice("check_in", "{not json")).toBeNull();
    expect(parseNotice("check_in", JSON.stringify({ ...checkIn, streak: "1" }))).toBeNull();
    expect(parseNotice("reward_credited", JSON.stringify(checkIn))).toBeNull();
    expect(parseNotice("quest_completed", "null")).toBeNull();
  });
});
