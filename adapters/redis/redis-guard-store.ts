// Guardian state in Redis (DESIGN §7): a JSON value at `guard:{stop}:<symbol>:<intent_id>`, its
// lease at `guard:{stop}:lease:<symbol>:<intent_id>` (owner, PX) and a sorted index of every guard.
// All keys share the `{stop}` hash tag, so each script touches one Cluster slot atomically.

import type { GuardEntry, GuardKey, GuardStore, GuardValue } from "../../ports/guard-store.ts";
import { pingRedis, type RedisClient, withDeadline } from "./redis-client.ts";
import { type RedisScript, redisScript } from "./redis-script.ts";

export const guardIndexKey = "guard:{stop}:index";
/** Guards read per list call at most. */
export const guardListMax = 10_000;

/** Exchange symbols are upper-case letters and digits; intent ids never hold braces. */
const symbolPattern = /^[A-Z0-9]{1,30}$/;

export function guardValueKey(key: GuardKey): string {
  checkKey(key);
  return `guard:{stop}:${key.symbol}:${key.intentId}`;
}

export function guardLeaseKey(key: GuardKey): string {
  checkKey(key);
  return `guard:{stop}:lease:${key.symbol}:${key.intentId}`;
}

function member(key: GuardKey): string {
  return `${key.symbol}:${key.intentId}`;
}

function checkKey(key: GuardKey): void {
  if (!symbolPattern.test(key.symbol) || key.intentId.length === 0 || /[{}]/.test(key.intentId)) {
    throw new Error(`Condition failed: ${key.symbol}/${key.intentId} cannot be a guard key`);
  }
}

// KEYS value, lease, index; ARGV owner, json, member. Fenced by the lease.
const putScript = redisScript(`
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[3], 0, ARGV[3])
return 1
`);

// KEYS value, lease, index; ARGV owner, member.
const removeScript = redisScript(`
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[2])
return 1
`);

// KEYS lease; ARGV owner, lease ms. An expired lease is simply gone (PX).
const acquireScript = redisScript(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

// KEYS lease; ARGV owner.
const releaseScript = redisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export interface RedisGuardStoreOptions {
  /** Deadline for each operation, including time spent waiting for a connection. */
  readonly operationTimeoutMs?: number;
}

export class RedisGuardStore implements GuardStore {
  private readonly operationTimeoutMs: number;

  constructor(
    private readonly client: RedisClient,
    options: RedisGuardStoreOptions = {},
  ) {
    this.operationTimeoutMs = options.operationTimeoutMs ?? 2_000;
  }

  async put(key: GuardKey, value: GuardValue, owner: string): Promise<boolean> {
    const keys = [guardValueKey(key), guardLeaseKey(key), guardIndexKey];
    const reply = await this.run(putScript, keys, [owner, JSON.stringify(value), member(key)]);
    return reply === 1;
  }

  async get(key: GuardKey): Promise<GuardValue | null> {
    const text = await this.bounded(this.client.get(guardValueKey(key)), "get");
    return text === null ? null : (JSON.parse(text) as GuardValue);
  }

  async remove(key: GuardKey, owner: string): Promise<boolean> {
    const keys = [guardValueKey(key), guardLeaseKey(key), guardIndexKey];
    return (await this.run(removeScript, keys, [owner, member(key)])) === 1;
  }

  async list(limit: number): Promise<readonly GuardEntry[]> {
    const count = Math.min(Math.max(0, Math.floor(limit)), guardListMax);
    if (count === 0) return [];
    const members = await this.bounded(
      this.client.zrange(guardIndexKey, "0", String(count - 1)),
      "list",
    );
    if (members.length === 0) return [];
    const keys = members.map(parseMember);
    const texts = await this.bounded(this.client.mget(...keys.map(guardValueKey)), "list");
    const entries: GuardEntry[] = [];
    keys.forEach((key, index) => {
      const text = texts[index];
      if (typeof text === "string") entries.push({ key, value: JSON.parse(text) as GuardValue });
    });
    return entries;
  }

  async acquireLease(key: GuardKey, owner: string, leaseMs: number): Promise<boolean> {
    if (!Number.isInteger(leaseMs) || leaseMs <= 0) {
      throw new Error("Condition failed: lease must be a positive whole number of ms");
    }
    return (await this.run(acquireScript, [guardLeaseKey(key)], [owner, leaseMs])) === 1;
  }

  async releaseLease(key: GuardKey, owner: string): Promise<void> {
    await this.run(releaseScript, [guardLeaseKey(key)], [owner]);
  }

  async ping(): Promise<boolean> {
    return pingRedis(this.client, this.operationTimeoutMs);
  }

  /** EVALSHA with several keys of one slot; loads the script on NOSCRIPT. */
  private async run(
    script: RedisScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const argv = args.map(String);
    const work = (async () => {
      try {
        return await this.client.evalsha(script.sha1, keys.length, ...keys, ...argv);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
        return this.client.eval(script.source, keys.length, ...keys, ...argv);
      }
    })();
    return this.bounded(work, "script");
  }

  private bounded<T>(work: Promise<T>, what: string): Promise<T> {
    return withDeadline(work, this.operationTimeoutMs, `guard store ${what}`);
  }
}

function parseMember(text: string): GuardKey {
  const split = text.indexOf(":");
  if (split <= 0) throw new Error(`Condition failed: malformed guard index member ${text}`);
  return { symbol: text.slice(0, split), intentId: text.slice(split + 1) };
}
