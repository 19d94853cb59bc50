// Redis test plumbing shared by suites: one private server (standalone or Cluster) per test file,
// a client on it, and a flush between tests. Use from beforeAll/afterAll.

import type { Cluster } from "ioredis";
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
} from "../../adapters/redis/redis-client.ts";
import { startRedisCluster, startRedisServer } from "./redis-server.ts";

export type RedisMode = "standalone" | "cluster";

export interface RedisTestTarget {
  readonly mode: RedisMode;
  readonly addresses: readonly string[];
  readonly client: RedisClient;
  /** Another client on the same server(s), for races and raw inspection. */
  connect(): RedisClient;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisTarget(mode: RedisMode): Promise<RedisTestTarget> {
  const server = mode === "standalone" ? await startRedisServer() : await startRedisCluster(3);
  const addresses = "addresses" in server ? server.addresses : [server.address];
  const clients: RedisClient[] = [];
  const connect = () => {
    const client = createRedisClient(addresses);
    clients.push(client);
    return client;
  };
  const client = connect();
  return {
    mode,
    addresses,
    client,
    connect,
    async flush() {
      if (!client.isCluster) {
        await client.flushall();
        return;
      }
      await Promise.all((client as Cluster).nodes("master").map((node) => node.flushall()));
    },
    async stop() {
      await Promise.all(clients.map((each) => closeRedisClient(each)));
      await server.stop();
    },
  };
}
