// Request weight and order counts as Binance counts them, on the injected clock: weight per
// minute per product (spot and /sapi share api.binance.com), orders per 10 s and per day (spot)
// or per minute (USDⓈ-M). Over a limit → 429 with Retry-After; another request before
// Retry-After has passed → 418, an IP ban for `banMs` (every product).

import type { Market } from "../../../domain/instrument/index.ts";
import { type ApiFailure, banned, rateLimited, tooManyOrders } from "./api-errors.ts";
import { rateLimitsOf } from "./exchange-info.ts";

interface Window {
  readonly name: string;
  readonly intervalMs: number;
  readonly limit: number;
  startMs: number;
  count: number;
}

interface Group {
  readonly weight: Window;
  readonly orders: readonly Window[];
  retryAfterUntilMs: number;
}

const intervalMs: Readonly<Record<string, number>> = {
  SECOND: 1_000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

function windowsOf(market: Market, type: string, scale: number): Window[] {
  return rateLimitsOf(market)
    .filter((limit) => limit["rateLimitType"] === type)
    .map((limit) => {
      const count = Number(limit["intervalNum"]);
      const unit = String(limit["interval"]);
      return {
        name: `${count}${unit.charAt(0)}`,
        intervalMs: count * (intervalMs[unit] ?? 60_000),
        limit: Number(limit["limit"]) * scale,
        startMs: 0,
        count: 0,
      };
    });
}

function roll(window: Window, nowMs: number): void {
  const start = Math.floor(nowMs / window.intervalMs) * window.intervalMs;
  if (start !== window.startMs) {
    window.startMs = start;
    window.count = 0;
  }
}

export class RateLimits {
  private readonly groups: Record<Market, Group>;
  private bannedUntilMs = 0;
  /** The ban length in force (the fault plan's banMs, which may change at run time). */
  private readonly banMs: () => number;

  /** `scale` multiplies every limit (1 = Binance's; benchmarks raise it to measure the venue). */
  constructor(banMs: () => number, scale = 1) {
    if (!Number.isInteger(scale) || scale < 1)
      throw new Error("Condition failed: scale must be >= 1");
    this.banMs = banMs;
    this.groups = { SPOT: this.group("SPOT", scale), FUT: this.group("FUT", scale) };
  }

  private group(market: Market, scale: number): Group {
    const weight = windowsOf(market, "REQUEST_WEIGHT", scale)[0];
    if (weight === undefined) throw new Error(`Condition failed: no REQUEST_WEIGHT for ${market}`);
    return { weight, orders: windowsOf(market, "ORDERS", scale), retryAfterUntilMs: 0 };
  }

  reset(): void {
    this.bannedUntilMs = 0;
    for (const group of Object.values(this.groups)) {
      group.retryAfterUntilMs = 0;
      group.weight.count = 0;
      for (const window of group.orders) window.count = 0;
    }
  }

  bannedUntil(nowMs: number): number | null {
    return this.bannedUntilMs > nowMs ? this.bannedUntilMs : null;
  }

  /** The answer for a request arriving now, before it is counted (ban or ban-worthy). */
  gate(market: Market, nowMs: number): ApiFailure | null {
    if (this.bannedUntilMs > nowMs) {
      return banned(market, this.bannedUntilMs, this.bannedUntilMs - nowMs);
    }
    if (this.groups[market].retryAfterUntilMs > nowMs) return this.ban(market, nowMs);
    return null;
  }

  /** Starts (or extends) an IP ban and answers 418. */
  ban(market: Market, nowMs: number, durationMs = this.banMs()): ApiFailure {
    this.bannedUntilMs = Math.max(this.bannedUntilMs, nowMs + durationMs);
    return banned(market, this.bannedUntilMs, this.bannedUntilMs - nowMs);
  }

  /** Answers 429 and remembers its Retry-After (continuing before it ends is a ban). */
  limit(market: Market, nowMs: number, retryAfterMs: number): ApiFailure {
    const group = this.groups[market];
    group.retryAfterUntilMs = Math.max(group.retryAfterUntilMs, nowMs + retryAfterMs);
    const window = group.weight;
    const limitText =
      market === "SPOT"
        ? `${window.limit} request weight per ${windowText(window)}`
        : `${window.limit} requests per minute`;
    return rateLimited(market, retryAfterMs, limitText);
  }

  /** Counts a request's weight; over the limit → 429. */
  addWeight(market: Market, weight: number, nowMs: number): ApiFailure | null {
    const window = this.groups[market].weight;
    roll(window, nowMs);
    window.count += weight;
    if (window.count <= window.limit) return null;
    return this.limit(market, nowMs, window.startMs + window.intervalMs - nowMs);
  }

  /** A successful order request that Binance does not charge weight for (spot since 2026-04). */
  refundWeight(market: Market, weight: number): void {
    const window = this.groups[market].weight;
    window.count = Math.max(0, window.count - weight);
  }

  /** Checks the order limits before placing `count` orders. */
  checkOrders(market: Market, count: number, nowMs: number): ApiFailure | null {
    const group = this.groups[market];
    for (const window of group.orders) {
      roll(window, nowMs);
      if (window.count + count > window.limit) {
        const retryMs = window.startMs + window.intervalMs - nowMs;
        group.retryAfterUntilMs = Math.max(group.retryAfterUntilMs, nowMs + retryMs);
        return tooManyOrders(window.limit, windowText(window), retryMs);
      }
    }
    return null;
  }

  addOrders(market: Market, count: number, nowMs: number): void {
    for (const window of this.groups[market].orders) {
      roll(window, nowMs);
      window.count += count;
    }
  }

  /** X-MBX-USED-WEIGHT-1M, plus X-MBX-ORDER-COUNT-* when `withOrders`. */
  headers(market: Market, nowMs: number, withOrders: boolean): Record<string, string> {
    const group = this.groups[market];
    roll(group.weight, nowMs);
    const headers: Record<string, string> = {
      "X-MBX-USED-WEIGHT-1M": String(group.weight.count),
    };
    if (!withOrders) return headers;
    for (const window of group.orders) {
      roll(window, nowMs);
      headers[`X-MBX-ORDER-COUNT-${window.name}`] = String(window.count);
    }
    return headers;
  }
}

function windowText(window: Window): string {
  const units: Readonly<Record<string, string>> = {
    S: "SECOND",
    M: "MINUTE",
    H: "HOUR",
    D: "DAY",
  };
  const count = window.name.slice(0, -1);
  return `${count} ${units[window.name.slice(-1)] ?? "MINUTE"}`;
}
