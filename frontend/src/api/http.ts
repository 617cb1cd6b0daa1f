import { ApiError } from "./errors";

/**
 * How requests get their bearer token and what happens on a 401. The session module
 * installs the real hooks at start; tests install their own.
 */
export interface AuthHooks {
  getToken: () => string | null;
  /** Tries to get a fresh access token; resolves true when one is in place. */
  refresh: () => Promise<boolean>;
  /** Called when a 401 survives a refresh: the session is over. */
  onUnauthorized: () => void;
}

let hooks: AuthHooks = {
  getToken: () => null,
  refresh: async () => false,
  onUnauthorized: () => {},
};

export function configureAuth(next: AuthHooks): void {
  hooks = next;
}

export function authHooks(): AuthHooks {
  return hooks;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  query?: Query;
  json?: unknown;
  form?: Record<string, string>;
  /** Send the bearer token (default true). Sign-in and sign-up send none. */
  auth?: boolean;
  signal?: AbortSignal;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function toApiError(response: Response): Promise<ApiError> {
  let detail: unknown = response.statusText;
  try {
    const body = (await response.json()) as { detail?: unknown };
    detail = body?.detail ?? detail;
  } catch {
    // Not JSON (a gateway error page): keep the status text.
  }
  return new ApiError(response.status, detail, parseRetryAfter(response.headers.get("Retry-After")));
}

/** Calls a relative `/api/...` URL; the UI never talks to anything but the gateway. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = "GET", query, json, form, auth = true, signal } = options;
  const send = (): Promise<Response> => {
    const headers: Record<string, string> = { Accept: "application/json" };
    let body: BodyInit | undefined;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form) {
      body = new URLSearchParams(form);
    }
    const token = auth ? hooks.getToken() : null;
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(withQuery(path, query), {
      method,
      headers,
      body,
      signal,
      credentials: "include",
    });
  };

  let response = await send();
  if (response.status === 401 && auth) {
    // The access token may just have expired (laptop asleep): one refresh, one retry.
    if (await hooks.refresh()) {
      response = await send();
    }
    if (response.status === 401) {
      hooks.onUnauthorized();
    }
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
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
 */
export async function call<T>(
  invoke: (options: SdkCallOptions) => Promise<SdkResult<T>>,
  { auth = true }: { auth?: boolean } = {},
): Promise<T> {
  const once = () =>
    invoke({ auth: auth ? (hooks.getToken() ?? undefined) : undefined, credentials: "include" });
  let result = await once();
  if (result.response?.status === 401 && auth) {
    if (await hooks.refresh()) result = await once();
    if (result.response?.status === 401) hooks.onUnauthorized();
  }
  const response = result.response;
  if (!response) {
    throw result.error instanceof Error ? result.error : new TypeError("Network error");
  }
  if (!response.ok) {
    const body = result.error as { detail?: unknown } | string | undefined;
    const detail = typeof body === "object" && body !== null && "detail" in body ? body.detail : (body ?? response.statusText);
    throw new ApiError(response.status, detail, parseRetryAfter(response.headers.get("Retry-After")));
  }
  return result.data as T;
}
