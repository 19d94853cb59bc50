// Serialises work per key (an intent, an order) inside one process, so a venue event, a cancel
// and a placement never interleave their read-modify-write of the same rows. Given a
// distributed lock, it also serialises that work across router instances (one holder per key
// in this process first, so the shared lock is asked for once per turn, not once per caller).

import type { DistributedLock } from "../../ports/distributed-lock.ts";

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly shared: DistributedLock | null = null) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release: () => void = () => {};
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await (this.shared === null ? work() : this.shared.withLock(key, work));
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with work queued or running (bounded by the callers' own concurrency). */
  size(): number {
    return this.tails.size;
  }
}
