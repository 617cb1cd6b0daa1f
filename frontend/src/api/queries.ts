import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { getLeaderboard, getMe, getMyBadges, getMyTransactions, getPlayer, listUsers } from "./auth";
import { listEventTypes, listQuests, listRewards } from "./catalog";
import { getMyEvents, getMyQuests } from "./processing";
import { getMyRedemptions, listOffers, listRedemptions } from "./shop";
import type { BoardItem, BoardPeriod } from "./types";

/**
 * The shared query keys and queries: a screen asks for `queries.myQuests()`, and whatever must
 * refresh after a change invalidates a prefix from `keys`. Everything about the signed-in player
 * sits under ["me"], the admin lists under ["admin"]. Queries only one component reads (a quest's
 * trace in the Why? dialog, the operator pages' audit and ops figures) keep their keys there.
 */
export const keys = {
  me: ["me"] as const,
  myUser: ["me", "user"] as const,
  myQuests: ["me", "quests"] as const,
  myEvents: ["me", "events"] as const,
  myTransactions: ["me", "transactions"] as const,
  myRedemptions: ["me", "redemptions"] as const,
  offers: ["offers"] as const,
  eventTypes: ["event-types"] as const,
  myBadges: ["me", "badges"] as const,
  leaderboard: ["leaderboard"] as const,
  player: ["player"] as const,
  admin: ["admin"] as const,
  adminQuests: ["admin", "quests"] as const,
  adminRewards: ["admin", "rewards"] as const,
  adminEventTypes: ["admin", "event-types"] as const,
  adminUsers: ["admin", "users"] as const,
  adminOffers: ["admin", "offers"] as const,
  adminRedemptions: ["admin", "redemptions"] as const,
};

/** Which page of a list: the API's limit/offset. */
interface PageWindow {
  limit: number;
  offset: number;
}

/** One page of a list under `key`; the page on screen stays while the next one loads. */
function paged<T>(key: readonly string[], fetch: (window: PageWindow) => Promise<T>) {
  return ({ limit, offset }: PageWindow) =>
    queryOptions({
      queryKey: [...key, { limit, offset }],
      queryFn: () => fetch({ limit, offset }),
      placeholderData: keepPreviousData,
    });
}

/** A paged list's query, for a component that pages through it. */
export type PagedQuery<T> = ReturnType<typeof paged<T>>;

export const queries = {
  me: () => queryOptions({ queryKey: keys.myUser, queryFn: getMe }),
  myQuests: () => queryOptions({ queryKey: keys.myQuests, queryFn: getMyQuests }),
  myEvents: paged(keys.myEvents, getMyEvents),
  myTransactions: paged(keys.myTransactions, getMyTransactions),
  myRedemptions: paged(keys.myRedemptions, getMyRedemptions),
  /** The shop as a player sees it: active offers only. */
  offers: () => queryOptions({ queryKey: keys.offers, queryFn: () => listOffers({ active: true }) }),
  adminOffers: () => queryOptions({ queryKey: keys.adminOffers, queryFn: () => listOffers() }),
  /** Event types by name (public; inactive ones too: a quest card still names its type). */
  eventTypes: () =>
    queryOptions({ queryKey: keys.eventTypes, queryFn: () => listEventTypes(), staleTime: 5 * 60_000 }),
  adminRedemptions: paged(keys.adminRedemptions, listRedemptions),
  myBadges: () => queryOptions({ queryKey: keys.myBadges, queryFn: getMyBadges }),
  leaderboard: ({ item, period, limit }: { item: BoardItem; period: BoardPeriod; limit: number }) =>
    queryOptions({
      queryKey: [...keys.leaderboard, { item, period, limit }],
      queryFn: () => getLeaderboard({ item, period, limit }),
      placeholderData: keepPreviousData,
    }),
  player: (userName: string) =>
    queryOptions({ queryKey: [...keys.player, userName], queryFn: () => getPlayer(userName) }),
  adminQuests: () => queryOptions({ queryKey: keys.adminQuests, queryFn: () => listQuests() }),
  adminRewards: () => queryOptions({ queryKey: keys.adminRewards, queryFn: listRewards }),
  adminEventTypes: () => queryOptions({ queryKey: keys.adminEventTypes, queryFn: () => listEventTypes() }),
  adminUsers: ({ search, ...window }: PageWindow & { search: string }) =>
    queryOptions({
      queryKey: [...keys.adminUsers, { search, ...window }],
      queryFn: () => listUsers({ ...window, q: search }),
      placeholderData: keepPreviousData,
    }),
};
