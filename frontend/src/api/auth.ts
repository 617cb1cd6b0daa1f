import * as sdk from "../client/auth";
import type { UserSelfUpdate } from "../client/auth";
import { call } from "./http";
import type { ClientToken } from "../client/auth";
import type {
  AdminUser,
  Badges,
  Board,
  BoardItem,
  BoardPeriod,
  LedgerEntry,
  Me,
  Page,
  PlayerPage,
  Token,
  User,
} from "./types";

// Sign-in, refresh and sign-out send no bearer token: the refresh token travels only in the
// httpOnly cookie auth sets (path-scoped to these routes), never through JavaScript.
export const signIn = async ({ username, password }: { username: string; password: string }): Promise<Token> => {
  // The token endpoint also serves game servers' client credentials (no refresh token); a
  // password grant always answers with a pair.
  const token = await call<Token | ClientToken>(
    (o) => sdk.loginAccessToken({ ...o, body: { grant_type: "password", username, password } }),
    { auth: false },
  );
  return token as Token;
};

/** `resume`: the app starts on a saved session — auth counts it as a sign-in (DESIGN §10). */
export const refreshSession = ({ resume = false }: { resume?: boolean } = {}) =>
  call<Token>((o) => sdk.refresh({ ...o, body: resume ? { resume: true } : {} }), {
    auth: false,
  });

export const signOut = () => call<unknown>((o) => sdk.logout({ ...o, body: {} }), { auth: false });

/** A zone name as the API lists them (an enum of the tzdata names); auth refuses (422) any other. */
type TimeZoneName = NonNullable<UserSelfUpdate["time_zone"]>;

/** The browser's IANA zone ("Europe/Paris"); the player's local days are counted in it. */
export function browserTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

export const signUp = ({ user_name, password }: { user_name: string; password: string }) =>
  call<User>(
    (o) =>
      sdk.signup({
        ...o,
        body: { user_name, password, time_zone: browserTimeZone() as TimeZoneName | undefined },
      }),
    { auth: false },
  );

/** Change the player's zone: at most once every 7 days (409 with `next_change_at` otherwise). */
export const updateMyTimeZone = (time_zone: string) =>
  call<Me>((o) => sdk.updateMe({ ...o, body: { time_zone: time_zone as TimeZoneName } }));

export const getMe = () => call<Me>((o) => sdk.readMe(o));

export const getMyTransactions = ({ limit, offset }: { limit: number; offset: number }) =>
  call<Page<LedgerEntry>>((o) => sdk.myTransactions({ ...o, query: { limit, offset } }));

export const getLeaderboard = ({ item, period, limit }: { item: BoardItem; period: BoardPeriod; limit: number }) =>
  call<Board>((o) => sdk.leaderboard({ ...o, query: { item, period, limit } }));

export const getMyBadges = () => call<Badges>((o) => sdk.myBadges(o));

/** Another player's public page: name, level, badges, member since (never balances). */
export const getPlayer = (user_name: string) => call<PlayerPage>((o) => sdk.readPlayer({ ...o, path: { user_name } }));

/** A page of users; with `q`, only those whose name contains it (any case), across all pages. */
export const listUsers = ({ limit, offset, q }: { limit: number; offset: number; q?: string }) =>
  call<Page<AdminUser>>((o) => sdk.listUsers({ ...o, query: { limit, offset, q: q || undefined } }));

export const updateUser = ({
  user_id,
  changes,
}: {
  user_id: string;
  changes: { role?: "player" | "admin"; status?: 0 | 1 | 2 };
}) => call<AdminUser>((o) => sdk.updateUser({ ...o, path: { user_id }, body: changes }));

/** Change the password (the current one re-entered); auth then ends every session. */
export const changeMyPassword = ({ current_password, new_password }: { current_password: string; new_password: string }) =>
  call<unknown>((o) => sdk.changeMyPassword({ ...o, body: { current_password, new_password } }));

/** End every session of the player, on every device: refresh tokens revoked, access tokens void. */
export const logoutEverywhere = () => call<unknown>((o) => sdk.logoutEverywhere(o));
