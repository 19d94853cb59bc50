// The shared fast path of "one intent, one order" (DESIGN §7): a hash at
// `idem:order:{<client_order_id>}` holding the request fingerprint and state, later the result.
// The braces are a Cluster hash tag, so every key of one client order id lives in one slot.

import type { OrderResult } from "../../domain/order/index.ts";
import type {
  ClaimOutcome,
  IdempotencyRecord,
  IdempotencyStore,
} from "../../ports/idempotency-store.ts";
import { pingRedis, type RedisClient, withDeadline } from "./redis-client.ts";
import { redisScript, runScript } from "./redis-script.ts";

export const idempotencyKeyPrefix = "idem:order:";

/** The Redis key of a client order id; braces inside the id would break the hash tag. */
export function idempotencyKey(clientOrderId: string): string {
  if (clientOrderId.length === 0 || /[{}]/.test(clientOrderId)) {
    throw new Error(`Condition failed: "${clientOrderId}" cannot be an idempotency key`);
  }
  return `${idempotencyKeyPrefix}{${clientOrderId}}`;
}

// KEYS[1] record; ARGV fingerprint, lease ms. Returns the existing fields, or nil once claimed.
const claimScript = redisScript(`
local existing = redis.call('HMGET', KEYS[1], 'fingerprint', 'state', 'result')
if existing[1] then return existing end
redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'state', 'IN_FLIGHT')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return nil
`);

// KEYS[1] record; ARGV fingerprint, result JSON, ttl ms. Replaces whatever was there.
const completeScript = redisScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'state', 'DONE', 'result', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`);

// KEYS[1] record. Deletes it only while it is still an in-flight claim.
const releaseScript = redisScript(`
if redis.call('HGET', KEYS[1], 'state') == 'IN_FLIGHT' then
  return redis.call('DEL', KEYS[1])
end
return 0
`);

export interface RedisIdempotencyStoreOptions {
  /** Deadline for each operation, including time spent waiting for a connection. */
  readonly operationTimeoutMs?: number;
}

export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly operationTimeoutMs: number;

  constructor(
    private readonly client: RedisClient,
    options: RedisIdempotencyStoreOptions = {},
  ) {
    this.operationTimeoutMs = options.operationTimeoutMs ?? 2_000;
  }

  /** `key` is the client order id; the record lives at idempotencyKey(key). */
  async claim(key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome> {
    checkDuration(leaseMs, "lease");
    const reply = await this.bounded(
      runScript(this.client, claimScript, idempotencyKey(key), [fingerprint, leaseMs]),
      "claim",
    );
    if (reply === null) return { claimed: true };
    return { claimed: false, record: decodeRecord(reply as (string | null)[]) };
  }

  async complete(
    key: string,
    fingerprint: string,
    result: OrderResult,
    ttlMs: number,
  ): Promise<void> {
    checkDuration(ttlMs, "ttl");
    const args = [fingerprint, JSON.stringify(result), ttlMs];
    await this.bounded(
      runScript(this.client, completeScript, idempotencyKey(key), args),
      "complete",
    );
  }

  async get(key: string): Promise<IdempotencyRecord | null> {
    const fields = await this.bounded(
      this.client.hmget(idempotencyKey(key), "fingerprint", "state", "result"),
      "get",
    );
    return fields[0] === null ? null : decodeRecord(fields);
  }

  async release(key: string): Promise<void> {
    await this.bounded(runScript(this.client, releaseScript, idempotencyKey(key), []), "release");
  }

  async ping(): Promise<boolean> {
    return pingRedis(this.client, this.operationTimeoutMs);
  }

  private bounded<T>(work: Promise<T>, what: string): Promise<T> {
    return withDeadline(work, this.operationTimeoutMs, `idempotency ${what}`);
  }
}

function decodeRecord(fields: readonly (string | null | undefined)[]): IdempotencyRecord {
  const [fingerprint, state, result] = fields;
  if (typeof fingerprint !== "string" || (state !== "IN_FLIGHT" && state !== "DONE")) {
    throw new Error("Condition failed: malformed idempotency record");
  }
  return {
    fingerprint,
    state,
    result: typeof result === "string" ? (JSON.parse(result) as OrderResult) : null,
  };
}

function checkDuration(ms: number, what: string): void {
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new Error(`Condition failed: ${what} must be a positive whole number of ms, got ${ms}`);
  }
}
