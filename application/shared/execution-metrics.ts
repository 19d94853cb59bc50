// TCA metrics of DESIGN §9 from an execution's fills: slippage_bps per fill, fees in USDT, and
// taker_rate, the taker share of all quantity filled so far (a gauge per market). Fed once per
// fill, at the end of the execution that produced it, so a fill seen twice is counted once.

import { toNumber } from "../../domain/decimal/index.ts";
import type { Fill } from "../../domain/order/index.ts";
import type { Metrics } from "../../ports/metrics.ts";

interface Totals {
  filled: number;
  taker: number;
}

export class ExecutionMetrics {
  private readonly totals = new Map<string, Totals>();

  constructor(readonly metrics: Metrics) {}

  recordFills(market: string, fills: readonly Fill[]): void {
    if (fills.length === 0) return;
    const totals = this.totals.get(market) ?? { filled: 0, taker: 0 };
    for (const fill of fills) {
      const qty = toNumber(fill.qty);
      totals.filled += qty;
      if (fill.liquidity === "TAKER") totals.taker += qty;
      if (fill.slippageBps !== null) {
        this.metrics.observe("slippage_bps", fill.slippageBps, {
          market,
          liquidity: fill.liquidity,
        });
      }
      if (fill.feeUsdt !== null) {
        this.metrics.increment("fee_usdt_total", { market }, toNumber(fill.feeUsdt));
      }
    }
    this.totals.set(market, totals);
    if (totals.filled > 0)
      this.metrics.setGauge("taker_rate", totals.taker / totals.filled, { market });
  }

  /** φ of a maker window when it closed. */
  makerWindowClosed(market: string, fillRatio: number, timedOut: boolean): void {
    this.metrics.observe("maker_fill_ratio", fillRatio, { market });
    if (timedOut) this.metrics.increment("maker_timeout_count", { market });
  }

  twapSliceDone(market: string, fillRatio: number, scheduleErrorMs: number | null): void {
    this.metrics.observe("twap_slice_fill_ratio", fillRatio, { market });
    if (scheduleErrorMs !== null) {
      this.metrics.observe("twap_schedule_error_ms", scheduleErrorMs, { market });
    }
  }
}
