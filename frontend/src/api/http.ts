import { connectivity, isUpstreamDown, serviceOf } from "./connectivity";
import { ApiError, SlowError, UnreachableError } from "./errors";

/**
 * How long one request may take before the UI stops waiting for it. A frozen service keeps its
 * socket open and never answers: without a limit a screen would spin forever. Long enough for
 * an argon2 sign-in on a loaded machine, short enough that the player hears about it.
 */
export const REQUEST_TIMEOUT_MS = 8_000;

/** What a refresh attempt found: a new token, a refusal (session over), or no server. */
export type RefreshOutcome = "ok" | "refused" | "unavailable";

/**
 * How requests get their bearer token and what happens on a 401. The session module
 * installs the real hooks at start; tests install their own.
 */
export interface AuthHooks {
  getToken: () => string | null;
  /** Tries to get a fresh access token. */
  refresh: () => Promise<RefreshOutcome>;
  /** Called when a 401 survives a refresh: the session is over. */
  onUnauthorized: () => void;
}

let hooks: AuthHooks = {
  getToken: () => null,
  refresh: async () => "refused",
  onUnauthorized: () => {},
};

export function configureAuth(next: AuthHooks): void {
  hooks = next;
}

export function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** What every generated SDK function resolves to (with `throwOnError: false`). */
interface SdkResult<T> {
  data?: T;
  error?: unknown;
  request?: Request;
  response?: Response;
}

/** Per-call options the wrapper hands to a generated SDK function. */
export interface SdkCallOptions {
  auth?: string;
  credentials: RequestCredentials;
  signal: AbortSignal;
}

/**
 * Runs one generated SDK call with the session's token, one refresh-and-retry on 401, and
 * FastAPI's `{"detail": ...}` turned into an ApiError, so screens handle errors one way.
 * A refused connection or a gateway without its upstream becomes an UnreachableError and
 * marks the server unreachable; a request unanswered after REQUEST_TIMEOUT_MS becomes a
 * SlowError and marks its service slow. Neither ever ends the session.
 */
export async function call<T>(
  invoke: (options: SdkCallOptions) => Promise<SdkResult<T>>,
  { auth = true, timeoutMs = REQUEST_TIMEOUT_MS }: { auth?: boolean; timeoutMs?: number } = {},
): Promise<T> {
  let timedOut = false;
  const once = async (): Promise<SdkResult<T>> => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const token = auth ? (hooks.getToken() ?? undefined) : undefined;
      return await invoke({ auth: token, credentials: "include", signal: controller.signal });
    } catch (error) {
      return { error };
    } finally {
      clearTimeout(timer);
    }
  };
  let result = await once();
  if (result.response?.status === 401 && auth) {
    const outcome = await hooks.refresh();
    if (outcome === "unavailable") throw new UnreachableError();
    if (outcome === "ok") result = await once();
    if (result.response?.status === 401) hooks.onUnauthorized();
  }
  const response = result.response;
  const service = serviceOf(result.request?.url ?? response?.url);
  if (!response && timedOut) {
    connectivity.reportSlow(service, true);
    throw new SlowError();
  }
  if (!response || isUpstreamDown(response.status)) {
    connectivity.report(false);
    throw new UnreachableError();
  }
  connectivity.report(true);
  connectivity.reportSlow(service, false);
  if (!response.ok) {
    const body = result.error as { detail?: unknown } | string | undefined;
    const detail = typeof body === "object" && body !== null && "detail" in body ? body.detail : (body ?? response.statusText);
    throw new ApiError(response.status, detail, parseRetryAfter(response.headers.get("Retry-After")), body);
  }
  return result.data as T;
}
