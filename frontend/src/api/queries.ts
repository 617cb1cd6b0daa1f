import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { getLeaderboard, getMe, getMyTransactions, listUsers } from "./auth";
import { listQuests, listRewards } from "./catalog";
import { getMyEvents, getMyQuests } from "./processing";
import type { Item } from "./types";

/**
 * Every query key and query of the UI, in one place: a screen asks for `queries.myQuests()`,
 * and whatever must refresh after a change invalidates a prefix from `keys`.
 * Everything about the signed-in player sits under ["me"], everything admin under ["admin"].
 */
export const keys = {
  me: ["me"] as const,
  myUser: ["me", "user"] as const,
  myQuests: ["me", "quests"] as const,
  myEvents: ["me", "events"] as const,
  myTransactions: ["me", "transactions"] as const,
  leaderboard: ["leaderboard"] as const,
  admin: ["admin"] as const,
  adminQuests: ["admin", "quests"] as const,
  adminRewards: ["admin", "rewards"] as const,
  adminUsers: ["admin", "users"] as const,
};

export const queries = {
  me: () => queryOptions({ queryKey: keys.myUser, queryFn: getMe }),
  myQuests: () => queryOptions({ queryKey: keys.myQuests, queryFn: getMyQuests }),
  myEvents: ({ limit, offset }: { limit: number; offset: number }) =>
    queryOptions({
      queryKey: [...keys.myEvents, { limit, offset }],
      queryFn: () => getMyEvents({ limit, offset }),
      placeholderData: keepPreviousData,
    }),
  myTransactions: ({ limit, offset }: { limit: number; offset: number }) =>
    queryOptions({
      queryKey: [...keys.myTransactions, { limit, offset }],
      queryFn: () => getMyTransactions({ limit, offset }),
      placeholderData: keepPreviousData,
    }),
  leaderboard: ({ item, limit }: { item: Item; limit: number }) =>
    queryOptions({ queryKey: [...keys.leaderboard, { item, limit }], queryFn: () => getLeaderboard({ item, limit }) }),
  adminQuests: () => queryOptions({ queryKey: keys.adminQuests, queryFn: () => listQuests() }),
  adminRewards: () => queryOptions({ queryKey: keys.adminRewards, queryFn: listRewards }),
  adminUsers: ({ limit, offset }: { limit: number; offset: number }) =>
    queryOptions({
      queryKey: [...keys.adminUsers, { limit, offset }],
      queryFn: () => listUsers({ limit, offset }),
      placeholderData: keepPreviousData,
    }),
};
