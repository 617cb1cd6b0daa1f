// Shapes of the public API (DESIGN §4 and the shared conventions). The generated client in
// src/client/ carries the same shapes from each service's OpenAPI; these aliases keep the UI
// independent of how the generator names things.

export type Item = "diamond" | "gold";
export type Role = "player" | "admin" | "service";
export type QuestStatus = "in_progress" | "claimable" | "done";

export interface Page<T> {
  data: T[];
  count: number;
}

export interface Token {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
}

export interface User {
  user_id: string;
  user_name: string;
  role: "player" | "admin";
  status: number; // 0 new, 1 active, 2 banned
  diamond: number;
  gold: number;
  created_at: string;
}

export interface LedgerEntry {
  entry_id: string;
  item: Item;
  qty: number;
  reason: string;
  balance_after: number;
  created_at: string;
}

export interface LeaderboardEntry {
  rank: number;
  user_id: string;
  user_name: string;
  item: Item;
  balance: number;
}

export interface Reward {
  reward_id: string;
  reward_name: string;
  reward_item: Item;
  reward_qty: number;
  created_at?: string;
  updated_at?: string;
}

export type RewardInput = Pick<Reward, "reward_name" | "reward_item" | "reward_qty">;

export interface Quest {
  quest_id: string;
  name: string;
  title: string;
  description: string;
  trigger: "sign_in";
  streak: number;
  duplication: number;
  auto_claim: boolean;
  streak_mode: "count" | "daily";
  reward_id: string;
  is_active: boolean;
  starts_at?: string | null;
  ends_at?: string | null;
  created_at: string;
  updated_at: string;
  reward: Reward;
}

export type QuestInput = Pick<
  Quest,
  | "name"
  | "title"
  | "description"
  | "streak"
  | "duplication"
  | "auto_claim"
  | "streak_mode"
  | "reward_id"
  | "is_active"
>;

export interface QuestProgress {
  quest: Quest;
  streak: number;
  target: number;
  completed: number;
  duplication: number;
  claimed: number;
  claimable: number;
  status: QuestStatus;
}

export interface ClaimResult {
  progress: QuestProgress;
  grant_id: string;
  item: Item;
  qty: number;
  credited: boolean;
}

/** One recorded event of the player, as processing stores it (unknown fields are kept). */
export interface PlayerEvent {
  event_id?: string;
  id?: string;
  type: string;
  time?: string;
  received_at?: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

// Server-Sent Events of GET /api/processing/notifications/stream.
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

export type Notice =
  | { event: "check_in"; id: string; data: CheckInNotice }
  | { event: "quest_completed"; id: string; data: QuestCompletedNotice }
  | { event: "reward_credited"; id: string; data: RewardCreditedNotice };
