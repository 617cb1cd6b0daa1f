// @vitest-environment node
// A real HTTP server on loopback plays the stream: the client's reconnect logic runs against
// real sockets, chunking and connection drops, not a stubbed fetch.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { backoffMs, openEventStream, SseParser, type SseMessage } from "./sse";

describe("SseParser", () => {
  it("parses events split across chunks, with ids, names and multi-line data", () => {
    const parser = new SseParser();
    const out: SseMessage[] = [];
    out.push(...parser.push(": keep-alive\n\nid: 7\nevent: check_in\nda"));
    expect(out).toEqual([]);
    out.push(...parser.push('ta: {"a":\r\ndata: 1}\r\n\r\nevent: reward_credited\ndata: x\n\n'));
    expect(out).toEqual([
      { id: "7", event: "check_in", data: '{"a":\n1}', retry: null },
      // The last id carries over to later messages, as EventSource does.
      { id: "7", event: "reward_credited", data: "x", retry: null },
    ]);
  });

  it("defaults the event name and reads retry", () => {
    const parser = new SseParser();
    expect(parser.push("retry: 1500\ndata: hi\n\n")).toEqual([{ id: null, event: "message", data: "hi", retry: 1500 }]);
  });

  it("waits for the newline after a trailing carriage return", () => {
    const parser = new SseParser();
    expect(parser.push("data: a\r")).toEqual([]);
    expect(parser.push("\n\r\n")).toEqual([{ id: null, event: "message", data: "a", retry: null }]);
  });
});

describe("backoffMs", () => {
  it("grows with the attempt and stays within bounds", () => {
    expect(backoffMs(0, 1000, 30000, () => 1)).toBe(1000);
    expect(backoffMs(3, 1000, 30000, () => 1)).toBe(8000);
    expect(backoffMs(10, 1000, 30000, () => 1)).toBe(30000);
    expect(backoffMs(10, 1000, 30000, () => 0)).toBe(1000);
  });
});

interface Seen {
  authorization: string | undefined;
  lastEventId: string | undefined;
}

let server: Server | null = null;

afterEach(async () => {
  const running = server;
  server = null;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<string> {
  let n = 0;
  server = createServer((req, res) => handler(req, res, n++));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/stream`;
}

function waitFor<T>(check: () => T | undefined, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > 5000) return reject(new Error(`gave up waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe("openEventStream", () => {
  it("sends the bearer token and resumes with Last-Event-ID after a drop", async () => {
    const requests: Seen[] = [];
    const url = await serve((req, res, n) => {
      requests.push({ authorization: req.headers.authorization, lastEventId: req.headers["last-event-id"] as string });
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      if (n === 0) {
        res.write('id: e1\nevent: check_in\ndata: {"streak":1}\n\n');
        res.write('id: e2\nevent: check_in\ndata: {"streak":2}\n\n');
        res.end(); // the server (or a proxy) drops the connection
      } else {
        res.write('id: e3\nevent: quest_completed\ndata: {"reward_qty":10}\n\n');
      }
    });
    const got: SseMessage[] = [];
    const stop = openEventStream({
      url,
      getToken: () => "token-1",
      refresh: async () => "refused" as const,
      onMessage: (m) => got.push(m),
      minDelayMs: 10,
      maxDelayMs: 20,
    });
    try {
      await waitFor(() => (got.length >= 3 ? true : undefined), "three messages");
    } finally {
      stop();
    }
    expect(got.map((m) => m.id)).toEqual(["e1", "e2", "e3"]);
    expect(got[2].event).toBe("quest_completed");
    expect(requests[0]).toEqual({ authorization: "Bearer token-1", lastEventId: undefined });
    expect(requests[1]).toEqual({ authorization: "Bearer token-1", lastEventId: "e2" });
  });

  it("refreshes the token on 401 and reconnects with the new one", async () => {
    const auths: (string | undefined)[] = [];
    const url = await serve((req, res) => {
      auths.push(req.headers.authorization);
      if (req.headers.authorization !== "Bearer fresh") {
        res.writeHead(401, { "Content-Type": "application/json" }).end('{"detail":"expired"}');
        return;
      }
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      res.write("id: 1\nevent: reward_credited\ndata: {}\n\n");
    });
    let token = "stale";
    const got: SseMessage[] = [];
    const stop = openEventStream({
      url,
      getToken: () => token,
      refresh: async () => {
        token = "fresh";
        return "ok" as const;
      },
      onMessage: (m) => got.push(m),
      minDelayMs: 10,
      maxDelayMs: 20,
    });
    try {
      await waitFor(() => got[0], "a message after the refresh");
    } finally {
      stop();
    }
    expect(auths.slice(0, 2)).toEqual(["Bearer stale", "Bearer fresh"]);
  });

  it("stops for good when the session cannot be refreshed", async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      res.writeHead(401).end();
    });
    const statuses: string[] = [];
    openEventStream({
      url,
      getToken: () => "gone",
      refresh: async () => "refused" as const,
      onMessage: () => {},
      onStatus: (s) => statuses.push(s),
      minDelayMs: 10,
      maxDelayMs: 20,
    });
    await waitFor(() => (statuses.includes("stopped") ? true : undefined), "the stream to stop");
    expect(calls).toBe(1);
  });
});
