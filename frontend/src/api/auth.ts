import { request } from "./http";
import type { LeaderboardEntry, LedgerEntry, Item, Page, Token, User } from "./types";

const BASE = "/api/auth";

// Sign-in, refresh and sign-out send no bearer token: the refresh token travels only in the
// httpOnly cookie auth sets (path-scoped to these routes), never through JavaScript.
export const signIn = ({ username, password }: { username: string; password: string }) =>
  request<Token>(`${BASE}/login/access-token`, {
    method: "POST",
    form: { grant_type: "password", username, password },
    auth: false,
  });

export const refreshSession = () =>
  request<Token>(`${BASE}/login/refresh`, { method: "POST", json: {}, auth: false });

export const signOut = () =>
  request<unknown>(`${BASE}/logout`, { method: "POST", json: {}, auth: false });

export const signUp = ({ user_name, password }: { user_name: string; password: string }) =>
  request<User>(`${BASE}/signup`, { method: "POST", json: { user_name, password }, auth: false });

export const getMe = () => request<User>(`${BASE}/users/me`);

export const getMyTransactions = ({ limit, offset }: { limit: number; offset: number }) =>
  request<Page<LedgerEntry>>(`${BASE}/users/me/transactions`, { query: { limit, offset } });

export const getLeaderboard = ({ item, limit }: { item: Item; limit: number }) =>
  request<Page<LeaderboardEntry>>(`${BASE}/leaderboard`, { query: { item, limit } });

export const listUsers = ({ limit, offset }: { limit: number; offset: number }) =>
  request<Page<User>>(`${BASE}/users`, { query: { limit, offset } });

export const updateUser = ({
  user_id,
  changes,
}: {
  user_id: string;
  changes: { role?: "player" | "admin"; status?: number };
}) => request<User>(`${BASE}/users/${encodeURIComponent(user_id)}`, { method: "PATCH", json: changes });
