import { ApiError } from "../api/errors";

/** The message the sign-in form shows for a failed attempt. */
export function signInErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 400 || error.status === 401) return "Wrong user name or password.";
    if (error.status === 429) {
      const wait = error.retryAfter;
      return wait !== null
        ? `Too many attempts. Try again in ${formatWait(wait)}.`
        : "Too many attempts. Wait a moment and try again.";
    }
    if (error.status === 403) return typeof error.detail === "string" ? error.detail : "This account is banned.";
    if (error.status >= 500) return "The server had a problem. Try again in a moment.";
    return error.message;
  }
  return "Cannot reach the server. Check your connection and try again.";
}

/** "45 seconds", "1 minute", "3 minutes". */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

export const USER_NAME_RE = /^[A-Za-z0-9_.-]{3,64}$/;

export function validateUserName(value: string): string | null {
  if (value.length < 3) return "At least 3 characters";
  if (value.length > 64) return "At most 64 characters";
  if (!USER_NAME_RE.test(value)) return "Letters, digits, dot, dash and underscore only";
  return null;
}

export function validatePassword(value: string): string | null {
  if (value.length < 8) return "At least 8 characters";
  if (value.length > 128) return "At most 128 characters";
  return null;
}

/** Only same-site paths: `?redirect=https://evil.example` must not send anyone away. */
export function safeRedirect(target: unknown): string {
  return typeof target === "string" && target.startsWith("/") && !target.startsWith("//") ? target : "/";
}
