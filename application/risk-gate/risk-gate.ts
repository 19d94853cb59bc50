// Pre-trade gates of DESIGN §6: the kill switch and the circuit breaker refuse new positions
// (exits, reduce-only and cancels always pass). The breaker learns from every exchange call
// (see observed-exchange.ts) and from /orders outcomes; its transitions raise alerts.

import type { OrderIntent, OrderResult } from "../../domain/order/index.ts";
import {
  admitBreaker,
  type BreakerConfig,
  type BreakerState,
  type BreakerTransition,
  type CallOutcome,
  initialBreakerState,
  killSwitchDecision,
  recordCall,
  recordOrderResult,
  riskKindOfIntent,
  advanceBreaker,
} from "../../domain/risk/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { KillSwitchSource } from "../../ports/kill-switch.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Metrics } from "../../ports/metrics.ts";
import type { Alert, OrderStore } from "../../ports/order-store.ts";
import { type Refusal, refusal } from "../shared/refusal.ts";

/** Result codes that mean the exchange failed us (not the request being wrong). */
const exchangeFailureCodes = new Set(["EXCHANGE_UNAVAILABLE", "RATE_LIMITED", "OUTCOME_UNKNOWN"]);
const statusGauge: Record<BreakerState["status"], number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

export interface RiskGateDeps {
  readonly clock: Clock;
  readonly killSwitch: KillSwitchSource;
  readonly store: OrderStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly config: BreakerConfig;
}

export class RiskGate {
  private state: BreakerState = initialBreakerState;

  constructor(private readonly deps: RiskGateDeps) {}

  status(): BreakerState["status"] {
    this.state = advanceBreaker(this.state, this.deps.config, this.deps.clock.nowMs());
    return this.state.status;
  }

  /** Kill switch first (an operator's word), then the breaker. */
  async gate(intent: OrderIntent): Promise<Refusal | null> {
    const kind = riskKindOfIntent(intent);
    if (kind === "new_position") {
      const flags = await this.deps.killSwitch.flags(intent.symbol).catch((error: unknown) => {
        this.deps.logger.warn("kill switch unreadable; treating it as off", {
          error: String(error),
        });
        return { global: false, symbols: new Set<string>() };
      });
      const decision = killSwitchDecision(flags, intent.symbol, kind);
      if (decision.refused)
        return refusal("KILL_SWITCH", decision.message, "symbol", decision.scope.toLowerCase());
    }
    const admitted = admitBreaker(this.state, this.deps.config, kind, this.deps.clock.nowMs());
    this.state = admitted.state;
    if (admitted.decision.allowed) return null;
    const { code, retryAfterMs } = admitted.decision;
    const message =
      code === "CIRCUIT_OPEN"
        ? "the exchange circuit breaker is open: new positions are refused; exits still go through"
        : "new positions are frozen after consecutive failed orders; exits still go through";
    return { code: "CIRCUIT_OPEN", message, rule: code.toLowerCase(), retryAfterMs };
  }

  /** Every exchange call's outcome feeds the error-rate window. */
  recordCall(outcome: CallOutcome): void {
    const nowMs = this.deps.clock.nowMs();
    const change = recordCall(this.state, this.deps.config, nowMs, outcome);
    this.state = change.state;
    if (change.transitions.length > 0) void this.announce(change.transitions, nowMs);
  }

  /** Three consecutive /orders failed at the exchange freeze new positions (DESIGN §6). */
  observeResult(result: OrderResult): void {
    if (result.code === undefined && result.result === "OK") {
      this.state = recordOrderResult(
        this.state,
        this.deps.config,
        this.deps.clock.nowMs(),
        true,
      ).state;
      return;
    }
    if (result.code === undefined || !exchangeFailureCodes.has(result.code)) return;
    const nowMs = this.deps.clock.nowMs();
    const change = recordOrderResult(this.state, this.deps.config, nowMs, false);
    this.state = change.state;
    if (change.frozeNow) {
      void this.alert(
        "ERROR",
        "ORDERS_FROZEN",
        "consecutive /orders failed at the exchange: new positions frozen",
        nowMs,
      );
    }
  }

  private async announce(transitions: readonly BreakerTransition[], nowMs: number): Promise<void> {
    for (const move of transitions) {
      this.deps.metrics.setGauge("circuit_breaker_state", statusGauge[move.to]);
      this.deps.logger.warn("circuit breaker moved", { from: move.from, to: move.to });
      if (move.to === "OPEN") {
        await this.alert(
          "ERROR",
          "CIRCUIT_OPENED",
          "exchange error rate above the threshold: circuit breaker opened",
          nowMs,
        );
      }
    }
  }

  private async alert(
    level: Alert["level"],
    code: string,
    message: string,
    nowMs: number,
  ): Promise<void> {
    const alert: Alert = {
      alertId: `${code}:${nowMs}`,
      level,
      code,
      message,
      refs: {},
      tsMs: nowMs,
    };
    await this.deps.store
      .commit({
        alerts: [alert],
        outbox: [
          {
            eventId: `alert:${alert.alertId}`,
            stream: "alerts",
            createdAtMs: nowMs,
            payload: { event_id: `alert:${alert.alertId}`, level, code, message, ts: nowMs },
          },
        ],
      })
      .catch((error: unknown) =>
        this.deps.logger.error("alert not stored", { code, error: String(error) }),
      );
  }
}
