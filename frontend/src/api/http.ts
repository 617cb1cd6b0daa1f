import { connectivity, isUpstreamDown } from "./connectivity";
import { ApiError, UnreachableError } from "./errors";

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
  response?: Response;
}

/** Per-call options the wrapper hands to a generated SDK function. */
export interface SdkCallOptions {
  auth?: string;
  credentials: RequestCredentials;
}

/**
 * Runs one generated SDK call with the session's token, one refresh-and-retry on 401, and
 * FastAPI's `{"detail": ...}` turned into an ApiError, so screens handle errors one way.
 * A refused connection or a gateway without its upstream becomes an UnreachableError and
 * marks the server unreachable; it never ends the session.
 */
export async function call<T>(
  invoke: (options: SdkCallOptions) => Promise<SdkResult<T>>,
  { auth = true }: { auth?: boolean } = {},
): Promise<T> {
  const once = async (): Promise<SdkResult<T>> => {
    try {
      return await invoke({ auth: auth ? (hooks.getToken() ?? undefined) : undefined, credentials: "include" });
    } catch (error) {
      return { error };
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
  if (!response || isUpstreamDown(response.status)) {
    connectivity.report(false);
    throw new UnreachableError();
  }
  connectivity.report(true);
  if (!response.ok) {
    const body = result.error as { detail?: unknown } | string | undefined;
    const detail = typeof body === "object" && body !== null && "detail" in body ? body.detail : (body ?? response.statusText);
    throw new ApiError(response.status, detail, parseRetryAfter(response.headers.get("Retry-After")), body);
  }
  return result.data as T;
}
