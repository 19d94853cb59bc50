// Lua scripts run by digest (EVALSHA), loaded on first use per node: one round trip, atomic on the
// node that owns the script's single key, so they work unchanged on a Cluster.

import { createHash } from "node:crypto";
import type { RedisClient } from "./redis-client.ts";

export interface RedisScript {
  readonly source: string;
  readonly sha1: string;
}

export function redisScript(source: string): RedisScript {
  return { source, sha1: createHash("sha1").update(source).digest("hex") };
}

export async function runScript(
  client: RedisClient,
  script: RedisScript,
  key: string,
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha1, 1, key, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return client.eval(script.source, 1, key, ...args);
  }
}
