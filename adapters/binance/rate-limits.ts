// Used weight and order counts from response headers, and the gate that stops sends while a
// 429 back-off or a 418 ban is in force. Read-only stats are exposed for health and metrics.

import type { ExchangeError } from "../../ports/exchange-gateway.ts";

/** Hosts with their own IP limits: spot REST and wallet share api.binance.com. */
export type LimitGroup = "SPOT" | "FUT";

export interface GroupStats {
  /** X-MBX-USED-WEIGHT-1M from the latest response; null before any. */
  readonly usedWeight1m: number | null;
  /** X-MBX-ORDER-COUNT-<interval> by interval ("10S", "1D", "1M"). */
  readonly orderCounts: Readonly<Record<string, number>>;
  /** While the clock is before this, sends in this group answer RATE_LIMITED unsent. */
  readonly rateLimitedUntilMs: number;
  readonly lastHeaderAtMs: number | null;
}

export interface RateLimitStats {
  readonly spot: GroupStats;
  readonly futures: GroupStats;
  /** A 418 ban stops every send, whatever the host. */
  readonly bannedUntilMs: number;
}

interface MutableGroup {
  usedWeight1m: number | null;
  orderCounts: Record<string, number>;
  rateLimitedUntilMs: number;
  lastHeaderAtMs: number | null;
}

const orderCountPrefix = "x-mbx-order-count-";

export class RateLimitTracker {
  private readonly groups: Record<LimitGroup, MutableGroup> = {
    SPOT: { usedWeight1m: null, orderCounts: {}, rateLimitedUntilMs: 0, lastHeaderAtMs: null },
    FUT: { usedWeight1m: null, orderCounts: {}, rateLimitedUntilMs: 0, lastHeaderAtMs: null },
  };
  private bannedUntilMs = 0;

  /** Reads the weight and order-count headers of any response, success or not. */
  observeHeaders(group: LimitGroup, headers: Headers, nowMs: number): void {
    const state = this.groups[group];
    const weight = headers.get("x-mbx-used-weight-1m");
    if (weight !== null) state.usedWeight1m = Number(weight);
    headers.forEach((value, name) => {
      const lower = name.toLowerCase();
      if (lower.startsWith(orderCountPrefix)) {
        state.orderCounts[lower.slice(orderCountPrefix.length).toUpperCase()] = Number(value);
      }
    });
    state.lastHeaderAtMs = nowMs;
  }

  /** Records a 429 (this host) or a 418 (every host) so later sends stop until it ends. */
  observeError(group: LimitGroup, error: ExchangeError, nowMs: number): void {
    if (error.kind === "BANNED") this.bannedUntilMs = Math.max(this.bannedUntilMs, error.untilMs);
    if (error.kind === "RATE_LIMITED") {
      const state = this.groups[group];
      state.rateLimitedUntilMs = Math.max(state.rateLimitedUntilMs, nowMs + error.retryAfterMs);
    }
  }

  /** The answer for a send that must not go out now, or null when sending is allowed. */
  gate(group: LimitGroup, nowMs: number): ExchangeError | null {
    if (nowMs < this.bannedUntilMs) {
      return {
        kind: "BANNED",
        untilMs: this.bannedUntilMs,
        message: `binance: IP banned for ${this.bannedUntilMs - nowMs} ms more; not sent`,
      };
    }
    const until = this.groups[group].rateLimitedUntilMs;
    if (nowMs < until) {
      return {
        kind: "RATE_LIMITED",
        retryAfterMs: until - nowMs,
        message: `binance ${group}: rate limited for ${until - nowMs} ms more; not sent`,
      };
    }
    return null;
  }

  stats(): RateLimitStats {
    const copy = (group: MutableGroup): GroupStats => ({
      usedWeight1m: group.usedWeight1m,
      orderCounts: { ...group.orderCounts },
      rateLimitedUntilMs: group.rateLimitedUntilMs,
      lastHeaderAtMs: group.lastHeaderAtMs,
    });
    return {
      spot: copy(this.groups.SPOT),
      futures: copy(this.groups.FUT),
      bannedUntilMs: this.bannedUntilMs,
    };
  }
}
