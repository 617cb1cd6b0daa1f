// @vitest-environment node
// The session against a real loopback HTTP server that speaks auth's routes: sign-in, rotation
// of the refresh cookie, single-flight refresh, and a 401 that ends the session.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getMe } from "../api/auth";
import { connectivity } from "../api/connectivity";
import { ApiError, SlowError, UnreachableError } from "../api/errors";
import { call } from "../api/http";
import * as authSdk from "../client/auth";
import { client as authClient } from "../client/auth/client.gen";
import { SessionStore, session } from "./session";

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function token(name: string, lifetimeS: number): string {
  const exp = Math.floor(Date.now() / 1000) + lifetimeS;
  return `${b64url({ alg: "RS256" })}.${b64url({ sub: `id-${name}`, name, role: "player", exp })}.sig`;
}

const auth = { refreshCalls: 0, meStatus: 200, refreshOk: true, refreshStatus: 200, lastBearer: "" };
const refreshBodies: string[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
    };
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (req.url === "/api/auth/login/access-token") {
        const form = new URLSearchParams(body);
        if (form.get("password") !== "password") return json(400, { detail: "Incorrect user name or password" });
        return json(200, { access_token: token("zoe", 900), token_type: "bearer", expires_in: 900 });
      }
      if (req.url === "/api/auth/login/refresh") {
        auth.refreshCalls++;
        refreshBodies.push(body);
        if (!auth.refreshOk) return json(401, { detail: "Refresh token revoked" });
        if (auth.refreshStatus === 403) return json(403, { detail: "Account is banned" });
        if (auth.refreshStatus === 502) return res.writeHead(502, { "Content-Type": "text/plain" }).end("Bad Gateway");
        // Answer slowly: a second refresh started meanwhile must join this one.
        setTimeout(() => json(200, { access_token: token("zoe", 900), token_type: "bearer", expires_in: 900 }), 50);
        return;
      }
      if (req.url === "/api/auth/users/me") {
        auth.lastBearer = req.headers.authorization ?? "";
        if (auth.meStatus === 0) return; // a frozen service: the connection stays open, no answer
        if (auth.meStatus === 401) return json(401, { detail: "Token expired" });
        return json(200, { user_id: "id-zoe", user_name: "zoe", role: "player", status: 1, diamond: 10, gold: 0, created_at: "2025-01-01T00:00:00Z" });
      }
      json(404, { detail: "Not Found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // In the browser the URLs are relative to the page (the gateway); here, the test server.
  authClient.setConfig({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  Object.assign(auth, { refreshCalls: 0, meStatus: 200, refreshOk: true, refreshStatus: 200, lastBearer: "" });
  session.end("signed_out");
  refreshBodies.length = 0;
});

describe("SessionStore", () => {
  it("says the session resumed on its first refresh at start, and only then", async () => {
    const fresh = new SessionStore();
    await fresh.restore();
    expect(fresh.getState().status).toBe("authenticated");
    await fresh.refresh();
    expect(refreshBodies.map((b) => JSON.parse(b))).toEqual([{ resume: true }, {}]);
    fresh.end("signed_out");
  });

  it("starts anonymous when there is no session to restore", async () => {
    const fresh = new SessionStore();
    auth.refreshOk = false;
    await fresh.restore();
    expect(fresh.getState()).toEqual({ status: "anonymous", user: null });
  });

  it("signs in, keeps the token in memory and sends it", async () => {
    await session.login("zoe", "password");
    const state = session.getState();
    expect(state.status).toBe("authenticated");
    expect(state.user?.userName).toBe("zoe");
    const me = await getMe();
    expect(me.diamond).toBe(10);
    expect(auth.lastBearer).toBe(`Bearer ${session.getToken()}`);
    session.end("signed_out");
  });

  it("refuses wrong credentials with the server's 400", async () => {
    await expect(session.login("zoe", "nope")).rejects.toMatchObject({ status: 400 });
    expect(session.getState().status).toBe("anonymous");
  });

  it("refreshes once when several callers need a new token at the same time", async () => {
    await session.login("zoe", "password");
    const results = await Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    expect(results).toEqual(["ok", "ok", "ok"]);
    expect(auth.refreshCalls).toBe(1);
    session.end("signed_out");
  });

  it("ends the session when a 401 survives a refresh", async () => {
    await session.login("zoe", "password");
    auth.meStatus = 401;
    auth.refreshOk = false;
    const error = await getMe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(auth.refreshCalls).toBe(1);
    expect(session.getState()).toMatchObject({ status: "anonymous", reason: "expired" });
    expect(session.getToken()).toBeNull();
  });

  it("keeps the session when auth answers 502 during a refresh (auth restarting)", async () => {
    await session.login("zoe", "password");
    const token = session.getToken();
    auth.meStatus = 401;
    auth.refreshStatus = 502;
    const error = await getMe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(session.getState().status).toBe("authenticated");
    expect(session.getToken()).toBe(token);
    session.end("signed_out");
  });

  it("restores the session once auth is back, without showing the sign-in form meanwhile", async () => {
    const fresh = new SessionStore();
    auth.refreshStatus = 502;
    const restored = fresh.restore();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fresh.getState().status).toBe("loading");
    auth.refreshStatus = 200;
    connectivity.retryNow(); // the banner's Retry button
    await restored;
    expect(fresh.getState().status).toBe("authenticated");
  });

  it("signs a banned player out with the reason", async () => {
    await session.login("zoe", "password");
    auth.refreshStatus = 403;
    expect(await session.refresh()).toBe("refused");
    expect(session.getState()).toMatchObject({ status: "anonymous", reason: "banned" });
  });
});

/** Polls until `done` (the other tab hears a BroadcastChannel message a moment later). */
async function until(done: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("tabs of one browser", () => {
  it("follow a sign-in and a sign-out made in another tab", async () => {
    const channel = `tabs-${Math.random()}`;
    const [first, second] = [new SessionStore({ channel }), new SessionStore({ channel })];
    await second.restore();
    auth.refreshOk = true;
    second.end("signed_out");
    expect(second.getState().status).toBe("anonymous");

    await first.login("zoe", "password");
    // The other tab picks up the shared refresh cookie.
    await until(() => second.getState().status === "authenticated");
    expect(second.getState().user?.userName).toBe("zoe");

    await first.logout();
    await until(() => second.getState().status === "anonymous");
    expect(second.getState()).toMatchObject({ status: "anonymous", reason: "signed_out" });
    first.close();
    second.close();
  });

  it("leave a store without a channel alone", async () => {
    const channel = `tabs-${Math.random()}`;
    const [talking, alone] = [new SessionStore({ channel }), new SessionStore()];
    await talking.login("zoe", "password");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alone.getState().status).toBe("loading");
    talking.close();
  });
});

describe("a service that does not answer", () => {
  it("times out as slow, says which service, and recovers when it answers", async () => {
    await session.login("zoe", "password");
    auth.meStatus = 0;
    const error = await call((o) => authSdk.readMe(o), { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlowError);
    // Screens treat it like an outage (the banner says it once), and the session stays.
    expect(error).toBeInstanceOf(UnreachableError);
    expect(connectivity.isSlow()).toBe(true);
    expect(connectivity.slowNow()).toEqual(["auth"]);
    expect(session.getState().status).toBe("authenticated");

    auth.meStatus = 200;
    expect((await getMe()).user_name).toBe("zoe");
    expect(connectivity.isSlow()).toBe(false);
    session.end("signed_out");
  });
});
