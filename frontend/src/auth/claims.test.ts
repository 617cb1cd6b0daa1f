import { describe, expect, it } from "vitest";
import { signInErrorMessage, safeRedirect, validateUserName } from "../lib/authErrors";
import { ApiError } from "../api/errors";
import { decodeAccessToken, refreshDelayMs } from "./claims";

function b64url(value: object): string {
  // JWT segments are base64url of UTF-8 bytes.
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

describe("decodeAccessToken", () => {
  it("reads the user from the claims", () => {
    const token = `${b64url({ alg: "RS256" })}.${b64url({ sub: "u-1", name: "Zoë", role: "admin", exp: 2000 })}.sig`;
    expect(decodeAccessToken(token)).toEqual({ userId: "u-1", userName: "Zoë", role: "admin", expiresAt: 2_000_000, issuedAt: 0 });
  });

  it("refuses garbage", () => {
    expect(decodeAccessToken("not-a-jwt")).toBeNull();
    expect(decodeAccessToken(`a.${b64url({ name: "x" })}.c`)).toBeNull();
  });
});

describe("refreshDelayMs", () => {
  it("refreshes a minute before a 15 minute token expires", () => {
    expect(refreshDelayMs(15 * 60_000, 0)).toBe(14 * 60_000);
  });

  it("refreshes short-lived tokens half-way, and never sooner than 5 s", () => {
    expect(refreshDelayMs(60_000, 0)).toBe(30_000);
    expect(refreshDelayMs(1_000, 0)).toBe(5_000);
  });
});

describe("sign-in messages", () => {
  it("explains each failure", () => {
    expect(signInErrorMessage(new ApiError(400, "Incorrect user name or password"))).toBe("Wrong user name or password.");
    expect(signInErrorMessage(new ApiError(429, "Too many attempts", 42))).toBe("Too many attempts. Try again in 42 seconds.");
    expect(signInErrorMessage(new ApiError(429, "Too many attempts", 120))).toBe("Too many attempts. Try again in 2 minutes.");
    expect(signInErrorMessage(new ApiError(403, "This account is banned"))).toBe("This account is banned");
    expect(signInErrorMessage(new TypeError("Failed to fetch"))).toMatch(/Cannot reach the server/);
  });

  it("validates user names like the server", () => {
    expect(validateUserName("ab")).toBe("At least 3 characters");
    expect(validateUserName("bad name")).toMatch(/Letters/);
    expect(validateUserName("good_name-1.x")).toBeNull();
  });

  it("only redirects within the site", () => {
    expect(safeRedirect("/history")).toBe("/history");
    expect(safeRedirect("//evil.example")).toBe("/");
    expect(safeRedirect("https://evil.example")).toBe("/");
  });
});
