/**
 * Ids of notifications already shown in this browser, in any tab. The stream replays the last
 * minute on every connect (so the toast for the sign-in just made appears); without this a new
 * tab or a reload would show "+5 💎 credited" again, which reads as a second reward.
 *
 * The ids live in localStorage (shared by the tabs of this browser) and each tab tells the
 * others through a BroadcastChannel, so two open tabs do not both toast one notification.
 */
const KEY = "quest.seen-notifications";
const CHANNEL = "quest.seen-notifications";
const LIMIT = 300;

export class SeenIds {
  private ids = new Set<string>();
  private channel: BroadcastChannel | null = null;

  constructor(private readonly storage: Storage | null) {
    this.load();
    if (typeof BroadcastChannel !== "undefined") {
      this.channel = new BroadcastChannel(CHANNEL);
      this.channel.onmessage = (event: MessageEvent<unknown>) => {
        if (typeof event.data === "string") this.ids.add(event.data);
      };
    }
  }

  private load(): void {
    try {
      const raw = this.storage?.getItem(KEY);
      if (!raw) return;
      for (const id of JSON.parse(raw) as unknown[]) if (typeof id === "string") this.ids.add(id);
    } catch {
      // Unreadable: start afresh.
    }
  }

  /** Records `id`; returns false when this browser has already shown it. */
  add(id: string | null): boolean {
    if (!id) return true;
    this.load(); // another tab may have shown it since
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    const kept = [...this.ids].slice(-LIMIT);
    this.ids = new Set(kept);
    try {
      this.storage?.setItem(KEY, JSON.stringify(kept));
    } catch {
      // Storage full or disabled: the channel and this page's memory still deduplicate.
    }
    this.channel?.postMessage(id);
    return true;
  }

  /** The newest id seen (ids are the stream's increasing sequence numbers). */
  last(): string | null {
    let best: string | null = null;
    for (const id of this.ids) {
      if (best === null || compareIds(id, best) > 0) best = id;
    }
    return best;
  }

  close(): void {
    this.channel?.close();
  }
}

function compareIds(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}
