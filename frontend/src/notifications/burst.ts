/**
 * Gathers notices that arrive together (the check-ins of one sign-in, or a replay on
 * reconnect) and hands them over as one burst: one sign-in gives one toast, not one per quest.
 */
export class Burst<T> {
  private items: T[] = [];
  private quiet: ReturnType<typeof setTimeout> | null = null;
  private deadline: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly flushTo: (items: T[]) => void,
    /** Flush once nothing more arrived for this long… */
    private readonly quietMs = 250,
    /** …or at the latest this long after the first item, so a stream of notices still shows. */
    private readonly maxWaitMs = 1_500,
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (this.quiet) clearTimeout(this.quiet);
    this.quiet = setTimeout(() => this.flush(), this.quietMs);
    this.deadline ??= setTimeout(() => this.flush(), this.maxWaitMs);
  }

  flush(): void {
    if (this.quiet) clearTimeout(this.quiet);
    if (this.deadline) clearTimeout(this.deadline);
    this.quiet = this.deadline = null;
    const items = this.items;
    this.items = [];
    if (items.length > 0) this.flushTo(items);
  }

  /** Drops what is pending (the page is going away). */
  cancel(): void {
    if (this.quiet) clearTimeout(this.quiet);
    if (this.deadline) clearTimeout(this.deadline);
    this.quiet = this.deadline = null;
    this.items = [];
  }
}
