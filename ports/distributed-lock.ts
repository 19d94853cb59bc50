// Mutual exclusion per key across router instances (an intent's rows are read, changed and
// written under it). In one process the in-memory KeyedMutex suffices; with several instances
// sharing Redis, this port extends it across them.

export interface DistributedLock {
  /** Runs `work` while holding `key` in every instance; waits (bounded) for another holder. */
  withLock<T>(key: string, work: () => Promise<T>): Promise<T>;
}
