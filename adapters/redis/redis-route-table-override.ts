// The route-table override in Redis: the JSON text at `router:{param}:curves` (DESIGN §7).

import type { RouteTableOverrideSource } from "../../ports/route-table.ts";
import { type RedisClient, withDeadline } from "./redis-client.ts";

export const routeTableOverrideKey = "router:{param}:curves";

export class RedisRouteTableOverride implements RouteTableOverrideSource {
  readonly location: string;

  constructor(
    private readonly client: RedisClient,
    private readonly key = routeTableOverrideKey,
    private readonly timeoutMs = 2_000,
  ) {
    this.location = `redis ${key}`;
  }

  read(): Promise<string | null> {
    return withDeadline(this.client.get(this.key), this.timeoutMs, "route table override GET");
  }
}
