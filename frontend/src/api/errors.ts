/** The server could not be reached (refused connection, gateway without its upstream). */
export class UnreachableError extends Error {
  constructor() {
    super("Can't reach the server");
    this.name = "UnreachableError";
  }
}

/**
 * A request the server did not answer in time (a frozen or overloaded service). Counted as
 * unreachable by screens: the banner says "slow — retrying" once, instead of every panel.
 */
export class SlowError extends UnreachableError {
  constructor() {
    super();
    this.message = "The server is slow to answer";
    this.name = "SlowError";
  }
}

export function isUnreachable(error: unknown): boolean {
  return error instanceof UnreachableError;
}

/** An HTTP error from the API, with FastAPI's `{"detail": ...}` kept for the UI. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;
  /** Seconds from a `Retry-After` header (throttled sign-in), when the server sent one. */
  readonly retryAfter: number | null;
  /** The whole error body, for fields beside `detail` (e.g. a 409's `next_change_at`). */
  readonly body: unknown;

  constructor(status: number, detail: unknown, retryAfter: number | null = null, body: unknown = undefined) {
    super(describeDetail(detail) || `Request failed (${status})`);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
    this.body = body;
  }
}

interface ValidationIssue {
  loc?: (string | number)[];
  msg?: string;
}

function isIssueList(detail: unknown): detail is ValidationIssue[] {
  return Array.isArray(detail) && detail.every((d) => typeof d === "object" && d !== null);
}

/** A one-line human message for any `detail` shape (string, 422 issue list, object). */
export function describeDetail(detail: unknown): string {
  if (typeof detail === "string") return detail;
  if (isIssueList(detail)) {
    return detail
      .map((d) => {
        const field = fieldOf(d.loc);
        return field ? `${field}: ${cleanMessage(d.msg)}` : cleanMessage(d.msg);
      })
      .join("; ");
  }
  if (detail && typeof detail === "object" && "message" in detail) {
    return String((detail as { message: unknown }).message);
  }
  return "";
}

function fieldOf(loc: (string | number)[] | undefined): string | null {
  if (!loc || loc.length === 0) return null;
  // FastAPI puts ["body", "<field>", ...]; a model-level error is ["body"] alone.
  const rest = loc[0] === "body" || loc[0] === "query" || loc[0] === "path" ? loc.slice(1) : loc;
  const first = rest.find((part) => typeof part === "string");
  return typeof first === "string" ? first : null;
}

function cleanMessage(msg: string | undefined): string {
  // Pydantic prefixes custom validator messages with "Value error, ".
  return (msg ?? "Invalid value").replace(/^Value error, /, "");
}

/**
 * Maps a 422 response onto form fields (`{name: "String should match pattern ..."}`).
 * Errors that name no field of the form are returned under `_form`.
 */
export function fieldErrors(error: unknown, fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) {
    out._form = error instanceof Error ? error.message : String(error);
    return out;
  }
  if (error.status === 422 && isIssueList(error.detail)) {
    for (const issue of error.detail) {
      const field = fieldOf(issue.loc);
      const key = field && fields.includes(field) ? field : "_form";
      const message = cleanMessage(issue.msg);
      out[key] = out[key] ? `${out[key]}; ${message}` : message;
    }
    return out;
  }
  out._form = error.message;
  return out;
}
