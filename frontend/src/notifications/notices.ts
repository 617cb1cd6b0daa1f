import type { CheckInNotice, LevelReachedNotice, QuestCompletedNotice, RewardCreditedNotice } from "../client/processing";

// Server-Sent Events of GET /api/processing/notifications/stream: each event's `data` is one of
// processing's payload models (generated from its OpenAPI). `level_reached` is auth's
// `LevelReached`, relayed live by processing: one per level, in order.
export type { CheckInNotice, LevelReachedNotice, QuestCompletedNotice, RewardCreditedNotice };

export type Notice =
  | { event: "check_in"; data: CheckInNotice }
  | { event: "quest_completed"; data: QuestCompletedNotice }
  | { event: "reward_credited"; data: RewardCreditedNotice }
  | { event: "level_reached"; data: LevelReachedNotice };

type Fields = Record<string, "string" | "number" | "boolean">;

const QUEST: Fields = { quest_id: "string", quest_name: "string", title: "string", completed: "number", duplication: "number" };
const FIELDS: Record<Notice["event"], Fields> = {
  check_in: { ...QUEST, streak: "number", target: "number", status: "string", claimable: "number", verdict: "string" },
  quest_completed: { ...QUEST, reward_item: "string", reward_qty: "number", auto_claim: "boolean" },
  reward_credited: { quest_id: "string", title: "string", grant_id: "string", item: "string", qty: "number" },
  level_reached: { level: "number" },
};

function hasFields(data: unknown, fields: Fields): data is Record<string, unknown> {
  if (!data || typeof data !== "object") return false;
  const record = data as Record<string, unknown>;
  return Object.entries(fields).every(([name, type]) => typeof record[name] === type);
}

function isEvent(event: string): event is Notice["event"] {
  return Object.hasOwn(FIELDS, event);
}

/** One SSE message as a notice; null for an event this UI does not know or data not of its shape. */
export function parseNotice(event: string, raw: string): Notice | null {
  if (!isEvent(event)) return null;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!hasFields(data, FIELDS[event])) return null;
  // The fields of the event's payload are there with their types: it is that payload.
  switch (event) {
    case "check_in":
      return { event, data: data as CheckInNotice };
    case "quest_completed":
      return { event, data: data as QuestCompletedNotice };
    case "reward_credited":
      return { event, data: data as RewardCreditedNotice };
    case "level_reached":
      return { event, data: data as LevelReachedNotice };
  }
}
