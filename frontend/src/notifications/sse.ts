import { backoffMs } from "../lib/backoff";

export { backoffMs };

/**
 * A Server-Sent Events client over fetch: `EventSource` cannot send an Authorization header,
 * and tokens must not go into URLs (they end up in access logs).
 */

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
  retry: number | null;
}

/** Incremental parser of the text/event-stream format (WHATWG HTML §9.2.6). */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | null = null;
  private retry: number | null = null;
  private sawField = false;

  /** Feeds a decoded chunk; returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (ch !== "\n" && ch !== "\r") continue;
      // A lone "\r" at the end of the buffer may be half of "\r\n": wait for more input.
      if (ch === "\r" && i === this.buffer.length - 1) break;
      const line = this.buffer.slice(start, i);
      if (ch === "\r" && this.buffer[i + 1] === "\n") i++;
      start = i + 1;
      const message = this.line(line);
      if (message) out.push(message);
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === "") {
      if (!this.sawField) return null;
      const message: SseMessage = {
        id: this.id,
        event: this.event || "message",
        data: this.data.join("\n"),
        retry: this.retry,
      };
      this.data = [];
      this.event = "";
      this.retry = null;
      this.sawField = false;
      return message;
    }
    if (line.startsWith(":")) return null; // comment / keep-alive
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        this.sawField = true;
        break;
      case "event":
        this.event = value;
        this.sawField = true;
        break;
      case "id":
        // The id persists for later messages, as in EventSource.
        if (!value.includes("\0")) this.id = value;
        this.sawField = true;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return null;
  }
}

export interface StreamOptions {
  url: string;
  getToken: () => string | null;
  /** Called on a 401: "ok" when a new token is in place. */
  refresh: () => Promise<"ok" | "refused" | "unavailable">;
  onMessage: (message: SseMessage) => void;
  onStatus?: (status: "connecting" | "open" | "retrying" | "stopped") => void;
  /** The last id seen, carried across reconnects as Last-Event-ID. */
  lastEventId?: string | null;
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Opens the stream and keeps it open: on any drop it reconnects with Last-Event-ID, so the
 * server sends what was missed. Returns a function that stops it for good.
 */
export function openEventStream(options: StreamOptions): () => void {
  const { url, getToken, refresh, onMessage, onStatus } = options;
  const minDelay = options.minDelayMs ?? 1_000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const controller = new AbortController();
  let lastEventId = options.lastEventId ?? null;
  let serverRetry: number | null = null;
  let attempt = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      controller.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });

  const connectOnce = async (): Promise<void> => {
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (lastEventId) headers["Last-Event-ID"] = lastEventId;
    onStatus?.("connecting");
    const response = await fetch(url, { headers, signal: controller.signal, cache: "no-store" });
    if (response.status === 401) {
      await response.body?.cancel();
      // A refused refresh ends the session (and the stream); no server means try again later.
      if ((await refresh()) === "refused") throw new StopStream();
      return;
    }
    if (!response.ok || !response.body) {
      throw new Error(`stream answered ${response.status}`);
    }
    onStatus?.("open");
    attempt = 0;
    const parser = new SseParser();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const message of parser.push(value)) {
        if (message.id) lastEventId = message.id;
        if (message.retry !== null) serverRetry = message.retry;
        onMessage(message);
      }
    }
  };

  void (async () => {
    while (!controller.signal.aborted) {
      try {
        await connectOnce();
      } catch (error) {
        if (error instanceof StopStream) break;
        // Aborted on purpose, or a network error: the loop below decides.
      }
      if (controller.signal.aborted) break;
      onStatus?.("retrying");
      await sleep(serverRetry ?? backoffMs(attempt, minDelay, maxDelay));
      attempt++;
    }
    onStatus?.("stopped");
  })();

  return () => controller.abort();
}

class StopStream extends Error {}
