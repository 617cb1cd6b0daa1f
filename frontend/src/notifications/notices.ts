import type { Item, QuestStatus } from "../api/types";

// Server-Sent Events of GET /api/processing/notifications/stream (processing's payloads).
export interface CheckInNotice {
  quest_id: string;
  quest_name: string;
  title: string;
  streak: number;
  target: number;
  completed: number;
  duplication: number;
  status: QuestStatus;
  claimable: number;
}

export interface QuestCompletedNotice {
  quest_id: string;
  quest_name: string;
  title: string;
  completed: number;
  duplication: number;
  reward_item: Item;
  reward_qty: number;
  auto_claim: boolean;
}

export interface RewardCreditedNotice {
  quest_id: string;
  title: string;
  grant_id: string;
  item: Item;
  qty: number;
}

/** Auth's `LevelReached`, relayed live by processing: one per level, in order. */
export interface LevelReachedNotice {
  level: number;
}

export type Notice =
  | { event: "check_in"; data: CheckInNotice }
  | { event: "quest_completed"; data: QuestCompletedNotice }
  | { event: "reward_credited"; data: RewardCreditedNotice }
  | { event: "level_reached"; data: LevelReachedNotice };

const EVENTS = new Set(["check_in", "quest_completed", "reward_credited", "level_reached"]);

/** One SSE message as a notice; null for an event this UI does not know or unreadable data. */
export function parseNotice(event: string, raw: string): Notice | null {
  if (!EVENTS.has(event)) return null;
  try {
    const data: unknown = JSON.parse(raw);
    if (!data || typeof data !== "object") return null;
    return { event, data } as Notice;
  } catch {
    return null;
  }
}
