import { refreshSession, signIn, signOut } from "../api/auth";
import { connectivity } from "../api/connectivity";
import { ApiError } from "../api/errors";
import { configureAuth, type RefreshOutcome } from "../api/http";
import { backoffMs } from "../lib/backoff";
import type { Token } from "../api/types";
import { decodeAccessToken, refreshDelayMs, type SessionUser } from "./claims";

export type SessionState =
  | { status: "loading"; user: null }
  | { status: "anonymous"; user: null; reason?: EndReason }
  | { status: "authenticated"; user: SessionUser };

/** Why a session ended: the login page tells the player (a ban is not an expiry). */
export type EndReason = "signed_out" | "expired" | "banned" | "password_changed";

/** What one tab tells the others of the same browser (they share the refresh cookie). */
type SessionSignal = { kind: "signed_in"; userId: string } | { kind: "signed_out"; reason: EndReason };

/**
 * A message bus between the tabs of one browser: BroadcastChannel, or `storage` events where
 * there is none (a write to localStorage fires `storage` in every other tab of the origin).
 */
class TabSignals {
  private channel: BroadcastChannel | null = null;

  constructor(
    private readonly name: string,
    onSignal: (signal: SessionSignal) => void,
  ) {
    if (typeof BroadcastChannel !== "undefined") {
      this.channel = new BroadcastChannel(name);
      this.channel.onmessage = (event: MessageEvent<SessionSignal>) => onSignal(event.data);
    } else if (typeof window !== "undefined") {
      window.addEventListener("storage", (event) => {
        if (event.key === name && event.newValue) onSignal(JSON.parse(event.newValue) as SessionSignal);
      });
    }
  }

  send(signal: SessionSignal): void {
    if (this.channel) {
      this.channel.postMessage(signal);
    } else if (typeof localStorage !== "undefined") {
      // A nonce, so the same signal twice is still a change (and an event).
      localStorage.setItem(this.name, JSON.stringify({ ...signal, nonce: Math.random() }));
    }
  }

  close(): void {
    this.channel?.close();
  }
}

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
  private inflight: Promise<RefreshOutcome> | null = null;
  private failures = 0;
  private wake: (() => void) | null = null;
  /** The next successful refresh is the app starting on a saved session: a resumed sign-in. */
  private resumeNext = false;
  /** When this tab's password sign-in happened (auth's clock), until processing has counted it. */
  private pendingSince: number | null = null;
  private signals: TabSignals | null;

  /** `channel`: the name the tabs of one browser talk on; none, a store of its own (tests). */
  constructor({ channel = null }: { channel?: string | null } = {}) {
    // The outage banner's Retry button (and its backoff) retries a refresh that found no server.
    connectivity.onRetry(() => this.wake?.());
    // Tabs share the refresh cookie: a sign-out in one ends the others' sessions, and a sign-in
    // in one lets the others pick the new cookie up, without a reload.
    this.signals = channel ? new TabSignals(channel, (signal) => this.follow(signal)) : null;
  }

  private follow(signal: SessionSignal): void {
    if (signal.kind === "signed_out") {
      if (this.state.status === "authenticated") this.end(signal.reason);
      return;
    }
    const current = this.state.status === "authenticated" ? this.state.user.userId : null;
    if (current !== signal.userId) void this.refresh();
  }

  /** Stops listening to the other tabs (tests). */
  close(): void {
    this.signals?.close();
    if (this.timer) clearTimeout(this.timer);
  }

  /** The time of this tab's password sign-in while processing has not counted it yet. */
  pendingSignIn = (): number | null => this.pendingSince;

  /** Processing has counted the sign-in (or it is too old to wait for). */
  signInCounted(): void {
    this.pendingSince = null;
  }

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

  /**
   * On page load: the refresh cookie, if any, gives a new access token. While the server
   * cannot be reached the answer is unknown, so it keeps trying (with backoff, or at once on
   * Retry) instead of showing a sign-in form to someone whose cookie is still good.
   */
  async restore(): Promise<void> {
    this.resumeNext = true;
    for (;;) {
      const outcome = await this.refresh();
      if (outcome !== "unavailable") break;
      await this.pause();
    }
    if (this.state.status === "loading") this.set({ status: "anonymous", user: null });
  }

  /** Waits for the next retry: backoff, or sooner when someone presses Retry. */
  private pause(): Promise<void> {
    const delay = backoffMs(this.failures++, 1_000, 30_000);
    return new Promise((resolve) => {
      const timer = setTimeout(done, delay);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  async login(username: string, password: string): Promise<void> {
    this.accept(await signIn({ username, password }));
    if (this.state.status === "authenticated") {
      this.pendingSince = this.state.user.issuedAt || null;
      this.signals?.send({ kind: "signed_in", userId: this.state.user.userId });
    }
  }

  /**
   * One refresh at a time, across tabs too: refresh tokens rotate and reusing a spent one
   * revokes the whole family, so two concurrent refreshes would sign the player out.
   */
  refresh = (): Promise<RefreshOutcome> => {
    this.inflight ??= this.withLock(() => this.doRefresh()).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  };

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    return locks ? locks.request("quest-session-refresh", work) : work();
  }

  private async doRefresh(): Promise<RefreshOutcome> {
    try {
      const resume = this.resumeNext;
      this.accept(await refreshSession(resume ? { resume: true } : undefined));
      this.resumeNext = false;
      this.failures = 0;
      return "ok";
    } catch (error) {
      // Only a refusal ends the session. A refused connection or a 502 while auth restarts
      // says nothing about the cookie: keep the session and try again a little later.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        this.resumeNext = false;
        this.end(error.status === 403 ? "banned" : "expired");
        return "refused";
      }
      if (this.state.status === "authenticated") this.retrySoon();
      return "unavailable";
    }
  }

  private retrySoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), backoffMs(this.failures++, 1_000, 30_000));
  }

  async logout(): Promise<void> {
    try {
      await signOut();
    } catch {
      // Signing out locally matters more than telling the server; the cookie expires anyway.
    }
    this.endEverywhere("signed_out");
  }

  /** End the session in this tab and in the browser's other tabs (sign-out, a password change,
   * sign-out everywhere, a deleted account: the shared refresh cookie is gone for all). */
  endEverywhere(reason: EndReason): void {
    this.end(reason);
    this.signals?.send({ kind: "signed_out", reason });
  }

  /** Forget the session (a 401 that survived a refresh, or sign-out). */
  end(reason: EndReason = "expired"): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.token = null;
    this.pendingSince = null;
    if (this.state.status === "loading") {
      // No session to restore on page load is not an expiry worth telling the player about.
      this.set({ status: "anonymous", user: null });
    } else if (this.state.status !== "anonymous") {
      this.set({ status: "anonymous", user: null, reason });
    }
  }
}

export const session = new SessionStore({ channel: "quest-session" });

configureAuth({
  getToken: session.getToken,
  refresh: session.refresh,
  onUnauthorized: () => session.end("expired"),
});
