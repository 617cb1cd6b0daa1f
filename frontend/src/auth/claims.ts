/** The claims the UI reads from an access token (it never verifies: the services do). */
export interface SessionUser {
  userId: string;
  userName: string;
  role: "player" | "admin";
  /** Expiry, milliseconds since the epoch. */
  expiresAt: number;
  /** When auth issued the token, milliseconds since the epoch on auth's clock. */
  issuedAt: number;
}

function base64UrlDecode(part: string): string {
  const padded = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function decodeAccessToken(token: string): SessionUser | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(base64UrlDecode(parts[1])) as Record<string, unknown>;
    if (typeof claims.sub !== "string" || typeof claims.exp !== "number") return null;
    return {
      userId: claims.sub,
      userName: typeof claims.name === "string" ? claims.name : "",
      role: claims.role === "admin" ? "admin" : "player",
      expiresAt: claims.exp * 1000,
      issuedAt:
        typeof claims.iat_ms === "number" ? claims.iat_ms : typeof claims.iat === "number" ? claims.iat * 1000 : 0,
    };
  } catch {
    return null;
  }
}

/**
 * When to refresh: a minute before expiry (so clock skew and a slow network do not let
 * the token lapse), at least a few seconds from now, at most at half of a very short life.
 */
export function refreshDelayMs(expiresAt: number, now: number): number {
  const life = expiresAt - now;
  const early = Math.min(60_000, life / 2);
  return Math.max(5_000, life - early);
}
