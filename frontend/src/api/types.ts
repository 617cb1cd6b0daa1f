import type { LeaderboardEntry, LedgerEntryPublic, Token, UserPublic } from "../client/auth";
import type { QuestPublic, RewardPublic } from "../client/catalog";
import type { EventPublic } from "../client/processing";

// Shapes of the public API (DESIGN §4 and the shared conventions) under names the UI uses,
// independent of how the generator names things.

export type Item = "diamond" | "gold";
export type Role = "player" | "admin" | "service";
export type QuestStatus = "in_progress" | "claimable" | "done";

export interface Page<T> {
  data: T[];
  count: number;
}

// Server shapes come from the generated client, so a changed API breaks the type check here.
export type { LeaderboardEntry, Token };
export type User = UserPublic;
export type LedgerEntry = LedgerEntryPublic;
export type Reward = RewardPublic;
export type Quest = QuestPublic;
export type PlayerEvent = EventPublic;

export interface RewardInput {
  reward_name: string;
  reward_item: Item;
  reward_qty: number;
}

/** What the admin quest form edits (the server fills the rest). */
export interface QuestInput {
  name: string;
  title: string;
  description: string;
  streak: number;
  duplication: number;
  auto_claim: boolean;
  streak_mode: "count" | "daily";
  reward_id: string;
  is_active: boolean;
}

/** Processing embeds the catalog quest untyped in its OpenAPI; this is its real shape. */
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
