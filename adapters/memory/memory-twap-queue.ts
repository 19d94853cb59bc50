// The in-process twin of the Redis TWAP queue for the embedded default: the same lease rules
// (claims lease due tasks to one owner; only the owner renews or completes; an expired lease makes
// the task due again), with time passed in by the caller. Bounded by tasksMax.

import type { ClaimedTwapTask, TwapQueue, TwapTask } from "../../ports/twap-queue.ts";

export const memoryTwapTasksMaxDefault = 100_000;

interface Entry {
  task: TwapTask;
  /** Due time, or lease end while leased. */
  score: number;
  owner: string | null;
  claims: number;
}

function copyTask(task: TwapTask): TwapTask {
  return { ...task, slices: task.slices.map((slice) => ({ ...slice })) };
}

export class MemoryTwapQueue implements TwapQueue {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly tasksMax = memoryTwapTasksMaxDefault) {}

  async add(task: TwapTask): Promise<boolean> {
    if (this.entries.has(task.intentId)) return false;
    if (this.entries.size >= this.tasksMax) {
      throw new Error(`Condition failed: more than ${this.tasksMax} TWAP tasks queued`);
    }
    this.entries.set(task.intentId, {
      task: copyTask(task),
      score: task.dueMs,
      owner: null,
      claims: 0,
    });
    return true;
  }

  async claim(
    owner: string,
    nowMs: number,
    leaseMs: number,
    limit: number,
  ): Promise<readonly ClaimedTwapTask[]> {
    const due = [...this.entries.values()]
      .filter((entry) => entry.score <= nowMs)
      .sort((a, b) => a.score - b.score || a.task.intentId.localeCompare(b.task.intentId))
      .slice(0, Math.max(0, limit));
    return due.map((entry) => {
      entry.score = nowMs + leaseMs;
      entry.owner = owner;
      entry.claims += 1;
      return { ...copyTask(entry.task), claims: entry.claims };
    });
  }

  async renew(intentId: string, owner: string, nowMs: number, leaseMs: number): Promise<boolean> {
    const entry = this.entries.get(intentId);
    if (entry === undefined || entry.owner !== owner) return false;
    entry.score = nowMs + leaseMs;
    return true;
  }

  async complete(intentId: string, owner: string, next: TwapTask | null): Promise<boolean> {
    const entry = this.entries.get(intentId);
    if (entry === undefined || entry.owner !== owner) return false;
    if (next === null) {
      this.entries.delete(intentId);
      return true;
    }
    if (next.intentId !== intentId) throw new Error("Condition failed: a task hands on to itself");
    this.entries.set(intentId, { task: copyTask(next), score: next.dueMs, owner: null, claims: 0 });
    return true;
  }

  async nextDueMs(): Promise<number | null> {
    let earliest: number | null = null;
    for (const entry of this.entries.values()) {
      if (earliest === null || entry.score < earliest) earliest = entry.score;
    }
    return earliest;
  }

  async size(): Promise<number> {
    return this.entries.size;
  }
}
