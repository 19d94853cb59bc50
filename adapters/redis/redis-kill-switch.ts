// The kill switch in Redis (DESIGN §7): `risk:killswitch` (global) and `risk:killswitch:<SYMBOL>`.
// A key is on when it exists with a value other than "0", "false" or "off" (so `SET … 1` works).
// Reads are cached for a short time so a burst of intents costs one round trip.

import type { KillSwitchFlags } from "../../domain/risk/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { KillSwitchSource } from "../../ports/kill-switch.ts";
import { type RedisClient, withDeadline } from "./redis-client.ts";

export const killSwitchGlobalKey = "risk:killswitch";
export const killSwitchSymbolKey = (symbol: string): string =>
  `${killSwitchGlobalKey}:${symbol.toUpperCase()}`;
const offValues = new Set(["0", "false", "off", ""]);

function isOn(value: string | null): boolean {
  return value !== null && !offValues.has(value.trim().toLowerCase());
}

export class RedisKillSwitch implements KillSwitchSource {
  private readonly cache = new Map<string, { on: boolean; readAtMs: number }>();

  constructor(
    private readonly client: RedisClient,
    private readonly clock: Clock,
    private readonly cacheMs = 250,
    private readonly timeoutMs = 1_000,
  ) {}

  async flags(symbol: string): Promise<KillSwitchFlags> {
    const upper = symbol.toUpperCase();
    const [global, bySymbol] = await Promise.all([
      this.read(killSwitchGlobalKey),
      this.read(killSwitchSymbolKey(upper)),
    ]);
    return { global, symbols: new Set(bySymbol ? [upper] : []) };
  }

  async all(): Promise<KillSwitchFlags> {
    const global = await this.read(killSwitchGlobalKey);
    const symbols = new Set<string>();
    for (const key of await this.scanSymbolKeys()) {
      if (isOn(await withDeadline(this.client.get(key), this.timeoutMs, "kill switch read"))) {
        symbols.add(key.slice(killSwitchGlobalKey.length + 1));
      }
    }
    return { global, symbols };
  }

  private async read(key: string): Promise<boolean> {
    const nowMs = this.clock.nowMs();
    const cached = this.cache.get(key);
    if (cached !== undefined && nowMs - cached.readAtMs < this.cacheMs) return cached.on;
    const on = isOn(await withDeadline(this.client.get(key), this.timeoutMs, "kill switch read"));
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { on, readAtMs: nowMs });
    return on;
  }

  /** Symbol keys on every master (a Cluster spreads them); bounded to 1,000 keys. */
  private async scanSymbolKeys(): Promise<string[]> {
    const pattern = `${killSwitchGlobalKey}:*`;
    const nodes = "nodes" in this.client ? this.client.nodes("master") : [this.client];
    const keys: string[] = [];
    for (const node of nodes) {
      let cursor = "0";
      do {
        const [next, batch] = await withDeadline(
          node.scan(cursor, "MATCH", pattern, "COUNT", 200),
          this.timeoutMs,
          "kill switch scan",
        );
        cursor = next;
        keys.push(...batch);
      } while (cursor !== "0" && keys.length < 1_000);
    }
    return keys;
  }
}
