// The TWAP queue in Redis (DESIGN §7): the ZSet `prod:{exec}:twap:queue` (member = intent id,
// score = due ms, or lease end while leased) beside hashes for each task's plan, its lease owner
// and its claim count. Every operation is one Lua script, so a claim is atomic across router
// instances; the `{exec}` hash tag keeps all four keys in one Cluster slot.

import type { ClaimedTwapTask, TwapQueue, TwapTask } from "../../ports/twap-queue.ts";
import type { RedisClient } from "./redis-client.ts";
import { withDeadline } from "./redis-client.ts";
import { type RedisScript, redisScript } from "./redis-script.ts";

export const twapKeyPrefixDefault = "prod:{exec}:twap:";

export interface TwapQueueKeys {
  readonly queue: string;
  readonly tasks: string;
  readonly leases: string;
  readonly claims: string;
}

export function twapQueueKeys(prefix = twapKeyPrefixDefault): TwapQueueKeys {
  if (!/\{[^{}]+\}/.test(prefix)) {
    throw new Error(`Condition failed: the TWAP key prefix "${prefix}" needs a {hash tag}`);
  }
  return {
    queue: `${prefix}queue`,
    tasks: `${prefix}tasks`,
    leases: `${prefix}leases`,
    claims: `${prefix}claims`,
  };
}

// KEYS queue, tasks, leases, claims. ARGV id, due ms, payload.
const addScript = redisScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
`);

// ARGV now ms, lease end ms, owner, limit. Returns id, payload, claims for each task leased.
const claimScript = redisScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(ids) do
  local payload = redis.call('HGET', KEYS[2], id)
  if payload then
    redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id)
    redis.call('HSET', KEYS[3], id, ARGV[3])
    local claims = redis.call('HINCRBY', KEYS[4], id, 1)
    table.insert(out, id)
    table.insert(out, payload)
    table.insert(out, tostring(claims))
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`);

// ARGV id, owner, lease end ms.
const renewScript = redisScript(`
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1
`);

// ARGV id, owner, next due ms ('' to remove), next payload.
const completeScript = redisScript(`
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
`);

interface StoredTask {
  readonly v: 1;
  readonly dueMs: number;
  readonly sliceIndex: number;
  /** [qty steps as a decimal string, due ms] per slice. */
  readonly slices: readonly (readonly [string, number])[];
  readonly spreadDelays: number;
  readonly splits: number;
  readonly makerWaitMs: number | null;
}

export function encodeTask(task: TwapTask): string {
  const stored: StoredTask = {
    v: 1,
    dueMs: task.dueMs,
    sliceIndex: task.sliceIndex,
    slices: task.slices.map((slice) => [slice.qtySteps.toString(), slice.dueMs] as const),
    spreadDelays: task.spreadDelays,
    splits: task.splits,
    makerWaitMs: task.makerWaitMs,
  };
  return JSON.stringify(stored);
}

export function decodeTask(intentId: string, payload: string): TwapTask {
  const stored = JSON.parse(payload) as StoredTask;
  if (stored.v !== 1 || !Array.isArray(stored.slices)) {
    throw new Error(`Condition failed: malformed TWAP task for ${intentId}`);
  }
  return {
    intentId,
    dueMs: stored.dueMs,
    sliceIndex: stored.sliceIndex,
    slices: stored.slices.map(([qtySteps, dueMs]) => ({ qtySteps: BigInt(qtySteps), dueMs })),
    spreadDelays: stored.spreadDelays,
    splits: stored.splits,
    makerWaitMs: stored.makerWaitMs,
  };
}

export interface RedisTwapQueueOptions {
  readonly keyPrefix?: string;
  /** Deadline for each operation, including time spent waiting for a connection. */
  readonly operationTimeoutMs?: number;
}

export class RedisTwapQueue implements TwapQueue {
  readonly keys: TwapQueueKeys;
  private readonly operationTimeoutMs: number;

  constructor(
    private readonly client: RedisClient,
    options: RedisTwapQueueOptions = {},
  ) {
    this.keys = twapQueueKeys(options.keyPrefix);
    this.operationTimeoutMs = options.operationTimeoutMs ?? 2_000;
  }

  async add(task: TwapTask): Promise<boolean> {
    const reply = await this.run(addScript, [task.intentId, task.dueMs, encodeTask(task)], "add");
    return reply === 1;
  }

  async claim(
    owner: string,
    nowMs: number,
    leaseMs: number,
    limit: number,
  ): Promise<readonly ClaimedTwapTask[]> {
    if (limit <= 0) return [];
    const reply = (await this.run(
      claimScript,
      [nowMs, nowMs + leaseMs, owner, limit],
      "claim",
    )) as string[];
    const tasks: ClaimedTwapTask[] = [];
    for (let index = 0; index + 2 < reply.length; index += 3) {
      const intentId = reply[index]!;
      tasks.push({ ...decodeTask(intentId, reply[index + 1]!), claims: Number(reply[index + 2]) });
    }
    return tasks;
  }

  async renew(intentId: string, owner: string, nowMs: number, leaseMs: number): Promise<boolean> {
    return (await this.run(renewScript, [intentId, owner, nowMs + leaseMs], "renew")) === 1;
  }

  async complete(intentId: string, owner: string, next: TwapTask | null): Promise<boolean> {
    if (next !== null && next.intentId !== intentId) {
      throw new Error("Condition failed: a task hands on to itself");
    }
    const args =
      next === null ? [intentId, owner, "", ""] : [intentId, owner, next.dueMs, encodeTask(next)];
    return (await this.run(completeScript, args, "complete")) === 1;
  }

  async nextDueMs(): Promise<number | null> {
    const reply = await this.bounded(
      this.client.zrange(this.keys.queue, "0", "0", "WITHSCORES"),
      "next due",
    );
    return reply[1] === undefined ? null : Number(reply[1]);
  }

  async size(): Promise<number> {
    return this.bounded(this.client.zcard(this.keys.queue), "size");
  }

  private async run(
    script: RedisScript,
    args: readonly (string | number)[],
    what: string,
  ): Promise<unknown> {
    const keys = [this.keys.queue, this.keys.tasks, this.keys.leases, this.keys.claims];
    return this.bounded(runScriptOnKeys(this.client, script, keys, args), what);
  }

  private bounded<T>(work: Promise<T>, what: string): Promise<T> {
    return withDeadline(work, this.operationTimeoutMs, `TWAP queue ${what}`);
  }
}

/** EVALSHA over several keys of one slot, loading the script on NOSCRIPT. */
async function runScriptOnKeys(
  client: RedisClient,
  script: RedisScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const texts = [...keys, ...args.map(String)];
  try {
    return await client.evalsha(script.sha1, String(keys.length), ...texts);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return client.eval(script.source, String(keys.length), ...texts);
  }
}
