import type {
  BadgesPublic,
  Board,
  BoardRow,
  ClientPublic,
  ClientSecret,
  LedgerEntryPublic,
  PlayerPublic,
  Token,
  UserAdminView,
  UserMe,
  UserPublic,
} from "../client/auth";
import type {
  EventTypePublic,
  OfferPublic,
  PropertySpec,
  QuestFilter,
  QuestPublic,
  RedemptionAdmin,
  RedemptionPublic,
  RewardPublic,
} from "../client/catalog";
import type { ClaimResult as ClaimResultPublic, EventPublic, QuestProgressPublic } from "../client/processing";

// Shapes of the public API (DESIGN §4 and the shared conventions) under names the UI uses,
// independent of how the generator names things.

/** What a reward pays: balances (diamond, gold, xp) or a badge, held once. */
export type Item = "diamond" | "gold" | "xp" | "badge";
/** The items with a balance, ranked on the leaderboards. */
export type BoardItem = "diamond" | "gold" | "xp";
export type BoardPeriod = "all" | "week" | "month";
export type Role = "player" | "admin" | "service";
export type QuestStatus = "in_progress" | "claimable" | "done";

export interface Page<T> {
  data: T[];
  count: number;
}

// Server shapes come from the generated client, so a changed API breaks the type check here.
export type { Board, BoardRow, Token };
export type Badges = BadgesPublic;
export type PlayerPage = PlayerPublic;
export type User = UserPublic;
/** The signed-in player's own profile: also their level on the current curve. */
export type Me = UserMe;
/** A user as the admin pages see it: also `deleted_at` on a deleted account. */
export type AdminUser = UserAdminView;
export type LedgerEntry = LedgerEntryPublic;
export type Reward = RewardPublic;
export type Quest = QuestPublic;
/** A game server's OAuth2 client, as admins list it (never its secret). */
export type EventSource = ClientPublic;
/** A new or rotated client's credentials: the only answer that carries the secret. */
export type EventSourceSecret = ClientSecret;
export type EventType = EventTypePublic;
export type { PropertySpec, QuestFilter };

/** What the admin event type form edits; the name is the type's key (`match_won`). */
export interface EventTypeInput {
  name: string;
  title: string;
  description: string;
  properties: Record<string, PropertySpec>;
}
export type PlayerEvent = EventPublic;
export type Offer = OfferPublic;
export type Redemption = RedemptionPublic;
export type { RedemptionAdmin };

/** What an offer is paid in: a currency (XP and badges are never spent). */
export type Currency = "diamond" | "gold";

/** What the admin offer form edits (null stock: unlimited; null limit: none). */
export interface OfferInput {
  name: string;
  title: string;
  description: string;
  price_item: Currency;
  price_qty: number;
  stock: number | null;
  per_player_limit: number | null;
  is_active: boolean;
  starts_at: string | null;
  ends_at: string | null;
}

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
  /** ISO instants; null means no bound. */
  starts_at: string | null;
  ends_at: string | null;
  /** Player time (DESIGN §10). */
  reset: "none" | "daily" | "weekly";
  grace_days: number;
  cooldown_s: number;
  /** null: earned rewards never expire. */
  claim_within_s: number | null;
  /** Any event (DESIGN §14): what the quest counts, which of those events, and how. */
  event_type: string;
  where: QuestFilter[];
  measure: "count" | "sum";
  /** The numeric property a sum adds up; null when counting. */
  measure_property: string | null;
  /** Names of the quests to complete once first. */
  requires: string[];
}

/**
 * Processing embeds the catalog quest untyped in its OpenAPI (it is the catalog's QuestPublic);
 * everything else about a progress item comes from processing's own generated types.
 */
export type QuestProgress = Omit<QuestProgressPublic, "quest"> & { quest: Quest };

export type ClaimResult = Omit<ClaimResultPublic, "progress"> & { progress: QuestProgress };
