// A per-key lock in Redis: `lock:{<key>}` holds a random owner token with a lease (PX), renewed
// while the work runs and released by compare-and-delete, so a crashed holder blocks others for
// one lease at most and a late release never frees someone else's lock.

import { randomBytes } from "node:crypto";
import type { DistributedLock } from "../../ports/distributed-lock.ts";
import { type RedisClient, withDeadline } from "./redis-client.ts";
import { redisScript, runScript } from "./redis-script.ts";

export interface RedisDistributedLockOptions {
  /** How long a holder keeps the lock without renewing it. */
  readonly leaseMs?: number;
  /** How long a caller waits for another holder before giving up (an error). */
  readonly waitMsMax?: number;
  readonly operationTimeoutMs?: number;
}

export function lockKey(key: string): string {
  if (/[{}]/.test(key)) throw new Error(`Condition failed: lock key ${key} holds a brace`);
  return `lock:{${key}}`;
}

// KEYS lock; ARGV token, lease ms.
const renewScript = redisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`);

// KEYS lock; ARGV token.
const releaseScript = redisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

const retryDelaysMs = [1, 2, 5, 10, 20, 50];

export class RedisDistributedLock implements DistributedLock {
  private readonly leaseMs: number;
  private readonly waitMsMax: number;
  private readonly operationTimeoutMs: number;
  private readonly owner = randomBytes(8).toString("hex");
  private sequence = 0;

  constructor(
    private readonly client: RedisClient,
    options: RedisDistributedLockOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.waitMsMax = options.waitMsMax ?? 60_000;
    this.operationTimeoutMs = options.operationTimeoutMs ?? 2_000;
  }

  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const redisKey = lockKey(key);
    this.sequence += 1;
    const token = `${this.owner}:${this.sequence}`;
    await this.acquire(redisKey, token);
    const renewal = setInterval(
      () => {
        void runScript(this.client, renewScript, redisKey, [token, this.leaseMs]).catch(
          () => undefined,
        );
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await withDeadline(
        runScript(this.client, releaseScript, redisKey, [token]),
        this.operationTimeoutMs,
        "lock release",
      ).catch(
        () => undefined, // the lease ends it anyway
      );
    }
  }

  private async acquire(redisKey: string, token: string): Promise<void> {
    const startedMs = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      const set = await withDeadline(
        this.client.set(redisKey, token, "PX", this.leaseMs, "NX"),
        this.operationTimeoutMs,
        "lock acquire",
      );
      if (set === "OK") return;
      if (Date.now() - startedMs > this.waitMsMax) {
        throw new Error(
          `lock ${redisKey} still held by another instance after ${this.waitMsMax} ms`,
        );
      }
      await Bun.sleep(retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)] ?? 50);
    }
  }
}
