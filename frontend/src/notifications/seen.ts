/**
 * Ids of notifications already shown in this tab. The stream replays the last minute on every
 * connect (so the toast for the sign-in just made appears); without this a reload or a second
 * sign-in would show the same toasts again.
 */
const KEY = "quest.seen-notifications";
const LIMIT = 200;

export class SeenIds {
  private ids: string[];

  constructor(private readonly storage: Storage | null) {
    this.ids = [];
    try {
      const raw = storage?.getItem(KEY);
      if (raw) this.ids = (JSON.parse(raw) as unknown[]).filter((x): x is string => typeof x === "string");
    } catch {
      this.ids = [];
    }
  }

  /** Records `id`; returns false when it was already seen. */
  add(id: string | null): boolean {
    if (!id) return true;
    if (this.ids.includes(id)) return false;
    this.ids.push(id);
    if (this.ids.length > LIMIT) this.ids = this.ids.slice(-LIMIT);
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.ids));
    } catch {
      // Storage full or disabled: dedup still works for this page's life.
    }
    return true;
  }

  last(): string | null {
    return this.ids.at(-1) ?? null;
  }
}
