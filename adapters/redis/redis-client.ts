// One factory for every Redis connection the router opens: one address is a standalone server,
// several are the seed nodes of a Cluster. Every call is bounded in time so a slow or absent Redis
// turns into an error the caller can act on, never a hung request.

import { Cluster, Redis } from "ioredis";

export type RedisClient = Redis | Cluster;

export type RedisAddress =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "unix"; readonly path: string };

export interface RedisClientOptions {
  /** Time allowed to open a connection. */
  readonly connectTimeoutMs?: number;
  /** Time allowed for one command on a connected node. */
  readonly commandTimeoutMs?: number;
  /** Reconnect attempts a queued command survives before it fails. */
  readonly maxRetriesPerRequest?: number;
  /** Where connection errors go (ioredis emits them as events); silent by default. */
  readonly onError?: (error: Error) => void;
}

export const redisClientDefaults = {
  connectTimeoutMs: 2_000,
  commandTimeoutMs: 1_000,
  maxRetriesPerRequest: 1,
  reconnectDelayMsMax: 2_000,
} as const;

const redisPortDefault = 6379;

/** Parses "host:port", "redis://host:port", "[::1]:6379", "unix:/path" or "/path". */
export function parseRedisAddress(text: string): RedisAddress {
  const trimmed = text.trim();
  if (trimmed.startsWith("unix:")) return { kind: "unix", path: trimmed.slice("unix:".length) };
  if (trimmed.startsWith("/")) return { kind: "unix", path: trimmed };
  const bare = trimmed.replace(/^rediss?:\/\//, "").replace(/\/.*$/, "");
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(bare);
  if (match === null || match[1] === undefined) {
    throw new Error(`Condition failed: bad Redis address "${text}"`);
  }
  const host = match[1].replace(/^\[|\]$/g, "");
  const port = match[2] === undefined ? redisPortDefault : Number(match[2]);
  if (port < 1 || port > 65_535) throw new Error(`Condition failed: bad Redis port in "${text}"`);
  return { kind: "tcp", host, port };
}

/**
 * Opens nothing until the first command (lazyConnect), so building the composition root never
 * blocks on Redis. The offline queue stays on: commands issued while (re)connecting wait for the
 * connection instead of failing at once, and `maxRetriesPerRequest` plus `commandTimeoutMs` bound
 * that wait. Adapters add their own per-operation deadline on top, which also covers a Cluster
 * that has not learnt its slots yet.
 */
export function createRedisClient(
  addresses: readonly string[],
  options: RedisClientOptions = {},
): RedisClient {
  if (addresses.length === 0) throw new Error("Condition failed: no Redis address");
  const parsed = addresses.map(parseRedisAddress);
  const nodeOptions = {
    connectTimeout: options.connectTimeoutMs ?? redisClientDefaults.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs ?? redisClientDefaults.commandTimeoutMs,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? redisClientDefaults.maxRetriesPerRequest,
    enableOfflineQueue: true,
    lazyConnect: true,
  };
  const onError = options.onError ?? (() => {});
  const retryStrategy = (times: number): number =>
    Math.min(50 * 2 ** Math.min(times, 6), redisClientDefaults.reconnectDelayMsMax);
  const [single] = parsed;
  if (parsed.length === 1 && single !== undefined) {
    const client =
      single.kind === "unix"
        ? new Redis({ ...nodeOptions, path: single.path, retryStrategy })
        : new Redis({ ...nodeOptions, host: single.host, port: single.port, retryStrategy });
    client.on("error", onError);
    return client;
  }
  const nodes = parsed.map((address) => {
    if (address.kind === "unix") throw new Error("Condition failed: Cluster nodes need host:port");
    return { host: address.host, port: address.port };
  });
  const cluster = new Cluster(nodes, {
    lazyConnect: true,
    enableOfflineQueue: true,
    enableReadyCheck: true,
    clusterRetryStrategy: retryStrategy,
    slotsRefreshTimeout: options.connectTimeoutMs ?? redisClientDefaults.connectTimeoutMs,
    redisOptions: {
      connectTimeout: nodeOptions.connectTimeout,
      commandTimeout: nodeOptions.commandTimeout,
      maxRetriesPerRequest: nodeOptions.maxRetriesPerRequest,
    },
  });
  cluster.on("error", onError);
  return cluster;
}

/** Rejects with a timeout error when `work` has not settled after `timeoutMs`. */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis ${what} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** True when Redis answers PONG within the deadline; never throws. */
export async function pingRedis(client: RedisClient, timeoutMs = 1_000): Promise<boolean> {
  try {
    return (await withDeadline(client.ping(), timeoutMs, "PING")) === "PONG";
  } catch {
    return false;
  }
}

/** Closes politely (QUIT), or drops the connection if the server does not answer. */
export async function closeRedisClient(client: RedisClient, timeoutMs = 1_000): Promise<void> {
  if (client.status === "end" || client.status === "wait") {
    client.disconnect();
    return;
  }
  try {
    await withDeadline(client.quit(), timeoutMs, "QUIT");
  } catch {
    client.disconnect();
  }
}
