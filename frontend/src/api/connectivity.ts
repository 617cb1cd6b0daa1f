/**
 * Whether the server answers. Any response from the gateway (other than 502/503/504, which mean
 * "the service behind it is down") says yes; a refused connection says no. One banner reads
 * this instead of every screen printing "Failed to fetch".
 */
type Listener = (reachable: boolean) => void;

export class Connectivity {
  private reachable = true;
  /** Services whose last request got no answer in time (a frozen process answers nothing). */
  private slowServices = new Set<string>();
  private listeners = new Set<Listener>();
  private retryers = new Set<() => void>();

  isReachable = (): boolean => this.reachable;

  /** Some service answers too slowly (or not at all) while the server as a whole is reachable. */
  isSlow = (): boolean => this.slowServices.size > 0;

  /** The services that are slow right now. */
  slowNow = (): string[] => [...this.slowServices];

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private notify(): void {
    for (const listener of this.listeners) listener(this.reachable);
  }

  report(reachable: boolean): void {
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    this.notify();
  }

  /** A request of `service` timed out (true) or was answered (false). Only the service that
   * was slow can say it is well again: auth answering says nothing about a frozen processing. */
  reportSlow(service: string, slow: boolean): void {
    if (slow === this.slowServices.has(service)) return;
    if (slow) this.slowServices.add(service);
    else this.slowServices.delete(service);
    this.notify();
  }

  /** Work to redo when the player (or the banner's backoff) asks to retry. */
  onRetry(retry: () => void): () => void {
    this.retryers.add(retry);
    return () => this.retryers.delete(retry);
  }

  retryNow(): void {
    for (const retry of this.retryers) retry();
  }
}

export const connectivity = new Connectivity();

/** "processing" for "/api/processing/me/quests" (absolute URLs too); "" when none. */
export function serviceOf(url: string | undefined): string {
  if (!url) return "";
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, "");
  return /^\/api\/([^/?#]+)/.exec(path)?.[1] ?? "";
}

/** Statuses of a gateway whose upstream is down or restarting. */
export function isUpstreamDown(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/**
 * Asks the gateway whether auth answers (its public key set: cheap, cached, no session needed),
 * for screens with nothing else to retry (the sign-in form, the first load); and whether each
 * service that was slow answers again (its OpenAPI document), so a screen that no longer asks
 * that service does not keep the "slow" banner forever.
 */
export async function probeServer(timeoutMs = 8_000): Promise<void> {
  const ask = async (url: string): Promise<Response | null> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await fetch(url, { cache: "no-store", signal: controller.signal });
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
  const slow = connectivity.slowNow();
  const [auth] = await Promise.all([
    ask("/api/auth/.well-known/jwks.json"),
    ...slow.map(async (service) => {
      const response = await ask(`/api/${service}/openapi.json`);
      if (response && !isUpstreamDown(response.status)) connectivity.reportSlow(service, false);
    }),
  ]);
  connectivity.report(auth !== null && !isUpstreamDown(auth.status));
}
