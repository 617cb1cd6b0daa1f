/**
 * Whether the server answers. Any response from the gateway (other than 502/503/504, which mean
 * "the service behind it is down") says yes; a refused connection says no. One banner reads
 * this instead of every screen printing "Failed to fetch".
 */
type Listener = (reachable: boolean) => void;

export class Connectivity {
  private reachable = true;
  private listeners = new Set<Listener>();
  private retryers = new Set<() => void>();

  isReachable = (): boolean => this.reachable;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  report(reachable: boolean): void {
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    for (const listener of this.listeners) listener(reachable);
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

/** Statuses of a gateway whose upstream is down or restarting. */
export function isUpstreamDown(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/**
 * Asks the gateway whether auth answers (its public key set: cheap, cached, no session needed),
 * for screens with nothing else to retry (the sign-in form, the first load).
 */
export async function probeServer(): Promise<void> {
  try {
    const response = await fetch("/api/auth/.well-known/jwks.json", { cache: "no-store" });
    connectivity.report(!isUpstreamDown(response.status));
  } catch {
    connectivity.report(false);
  }
}
