/**
 * What waits for the broker while it is away: the latest message per topic, never every frame's.
 * A slot that changed ten times during an outage costs one entry; the bound protects memory if the
 * outage outlasts the agent's patience (the oldest entry goes first, and is counted).
 */
export class LatestQueue<T> {
  private readonly items = new Map<string, T>();
  /** Entries evicted because the queue was full. */
  evicted = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.items.size;
  }

  /** Replaces any queued message for `topic`; the newest goes to the back. */
  put(topic: string, item: T): void {
    this.items.delete(topic);
    this.items.set(topic, item);
    while (this.items.size > this.limit) {
      const oldest = this.items.keys().next().value as string;
      this.items.delete(oldest);
      this.evicted++;
    }
  }

  /** Removes and returns everything, oldest first. */
  drain(): [topic: string, item: T][] {
    const out = [...this.items.entries()];
    this.items.clear();
    return out;
  }
}
