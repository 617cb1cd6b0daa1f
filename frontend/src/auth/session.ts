import { refreshSession, signIn, signOut } from "../api/auth";
import { ApiError } from "../api/errors";
import { configureAuth } from "../api/http";
import type { Token } from "../api/types";
import { decodeAccessToken, refreshDelayMs, type SessionUser } from "./claims";

export type SessionState =
  | { status: "loading"; user: null }
  | { status: "anonymous"; user: null; reason?: "signed_out" | "expired" }
  | { status: "authenticated"; user: SessionUser };

type Listener = (state: SessionState) => void;

/**
 * The access token lives only in this object (memory): a reload restores the session from
 * the httpOnly refresh cookie, so no token ever sits in localStorage for a script to read.
 */
export class SessionStore {
  private state: SessionState = { status: "loading", user: null };
  private token: string | null = null;
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: Promise<boolean> | null = null;

  getState = (): SessionState => this.state;
  getToken = (): string | null => this.token;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }

  private accept(token: Token): void {
    const user = decodeAccessToken(token.access_token);
    if (!user) throw new Error("The server sent an unreadable access token");
    this.token = token.access_token;
    this.schedule(user.expiresAt);
    this.set({ status: "authenticated", user });
  }

  private schedule(expiresAt: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), refreshDelayMs(expiresAt, Date.now()));
  }

  /** On page load: the refresh cookie, if any, gives a new access token. */
  async restore(): Promise<void> {
    const ok = await this.refresh();
    if (!ok && this.state.status === "loading") this.set({ status: "anonymous", user: null });
  }

  async login(username: string, password: string): Promise<void> {
    this.accept(await signIn({ username, password }));
  }

  /**
   * One refresh at a time, across tabs too: refresh tokens rotate and reusing a spent one
   * revokes the whole family, so two concurrent refreshes would sign the player out.
   */
  refresh = (): Promise<boolean> => {
    this.inflight ??= this.withLock(() => this.doRefresh()).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  };

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    return locks ? locks.request("quest-session-refresh", work) : work();
  }

  private async doRefresh(): Promise<boolean> {
    try {
      this.accept(await refreshSession());
      return true;
    } catch (error) {
      // A network blip keeps the current session (a later call retries); a refusal ends it.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        this.end("expired");
      }
      return false;
    }
  }

  async logout(): Promise<void> {
    try {
      await signOut();
    } catch {
      // Signing out locally matters more than telling the server; the cookie expires anyway.
    }
    this.end("signed_out");
  }

  /** Forget the session (a 401 that survived a refresh, or sign-out). */
  end(reason: "signed_out" | "expired" = "expired"): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.token = null;
    if (this.state.status === "loading") {
      // No session to restore on page load is not an expiry worth telling the player about.
      this.set({ status: "anonymous", user: null });
    } else if (this.state.status !== "anonymous") {
      this.set({ status: "anonymous", user: null, reason });
    }
  }
}

export const session = new SessionStore();

configureAuth({
  getToken: session.getToken,
  refresh: session.refresh,
  onUnauthorized: () => session.end("expired"),
});
