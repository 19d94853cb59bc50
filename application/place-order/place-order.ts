// POST /orders: one intent becomes at most one execution. Duplicates in this process share the
// first call's promise; duplicates elsewhere meet the shared idempotency record; the store's
// unique intent id is the final guarantee (DESIGN §3.2, §7).

import { formatDecimal, isPositive, neg } from "../../domain/decimal/index.ts";
import { checkNotional, type SymbolRules } from "../../domain/instrument/index.ts";
import {
  clientOrderIdBase,
  intentFingerprint,
  intentToJson,
  isReduceOnly,
  type OrderIntent,
  type OrderResult,
  type PolicyType,
} from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { BookSnapshot, ExchangeGateway } from "../../ports/exchange-gateway.ts";
import type { IdempotencyStore } from "../../ports/idempotency-store.ts";
import type { Logger } from "../../ports/logger.ts";
import type { MarketData } from "../../ports/market-data.ts";
import type { Metrics } from "../../ports/metrics.ts";
import type { IntentRecord, OrderStore } from "../../ports/order-store.ts";
import type { IntentLedger, IntentState } from "../shared/intent-ledger.ts";
import type { KeyedMutex } from "../shared/keyed-mutex.ts";
import { takingPrice } from "../shared/market.ts";
import { type Refusal, refusal, refusalResult } from "../shared/refusal.ts";
import { routeDecision } from "../shared/router-events.ts";
import type { RouteTableHolder } from "../shared/route-table-holder.ts";
import type { RuleBook } from "../shared/rule-book.ts";
import type { ExecutionContext, PolicyExecutor } from "./policy-executor.ts";
import {
  defaultPolicySettings,
  intentNotional,
  type PolicySettings,
  type Resolved,
  resolveIntentPolicy,
  routeChosen,
} from "./resolve-policy.ts";
import { requestedPolicyType, validateIntent } from "./validate-intent.ts";

export interface PlaceOrderSettings {
  /** How long a claim on an intent holds before another instance may take it over. */
  readonly idempotencyLeaseMs: number;
  readonly idempotencyTtlMs: number;
  /** How long a duplicate waits for the first request's answer before showing progress. */
  readonly duplicateWaitMs: number;
  readonly duplicatePollMs: number;
  /** Bound on intents executing at once in this process. */
  readonly inFlightMax: number;
}

export const defaultPlaceOrderSettings: PlaceOrderSettings = {
  idempotencyLeaseMs: 30_000,
  idempotencyTtlMs: 24 * 3_600_000,
  duplicateWaitMs: 15_000,
  duplicatePollMs: 20,
  inFlightMax: 10_000,
};

export interface PlaceOrderDeps {
  readonly clock: Clock;
  readonly exchange: ExchangeGateway;
  readonly store: OrderStore;
  readonly idempotency: IdempotencyStore;
  readonly marketData: MarketData;
  readonly rules: RuleBook;
  readonly ledger: IntentLedger;
  readonly mutex: KeyedMutex;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly executors: Partial<Record<PolicyType, PolicyExecutor>>;
  readonly settings: PlaceOrderSettings;
  /** Pre-trade gates (kill switch, circuit breaker); null lets the intent through. */
  readonly gates?: readonly ((intent: OrderIntent) => Promise<Refusal | null>)[];
  /**
   * The route table that decides the policy when exec_policy names none (DESIGN §4). Absent:
   * the named type, a LIMIT when a price is given, else MARKET.
   */
  readonly routeTable?: RouteTableHolder;
  /** Caps on the maker wait and TWAP slices (S4_MAKER_MAX_WAIT_MS, S4_TWAP_MAX_SLICES). */
  readonly policySettings?: PolicySettings;
}

export interface PlaceOrderOutcome {
  readonly result: OrderResult;
  readonly retryAfterMs?: number;
}

interface Running {
  readonly fingerprint: string;
  readonly promise: Promise<PlaceOrderOutcome>;
}

export class PlaceOrder {
  private readonly running = new Map<string, Running>();

  constructor(private readonly deps: PlaceOrderDeps) {}

  /** Never throws for bad input: every refusal is an outcome with a code. */
  execute(intent: OrderIntent): Promise<PlaceOrderOutcome> {
    const rules = this.deps.rules.get(intent.market, intent.symbol);
    if (rules === null) {
      const reason = refusal(
        "UNKNOWN_SYMBOL",
        `symbol ${intent.symbol} is not traded on ${intent.market}`,
        "symbol",
        "known_symbol",
      );
      return Promise.resolve({ result: refusalResult(intent.intentId, reason, intent) });
    }
    const invalid = validateIntent(intent, rules);
    if (invalid !== null)
      return Promise.resolve({ result: refusalResult(intent.intentId, invalid, intent) });
    const fingerprint = intentFingerprint(intent);
    const running = this.running.get(intent.intentId);
    if (running !== undefined) {
      return running.fingerprint === fingerprint
        ? running.promise
        : Promise.resolve(mismatch(intent));
    }
    if (this.running.size >= this.deps.settings.inFlightMax) {
      const reason = refusal("EXCHANGE_UNAVAILABLE", "too many intents in flight; retry shortly");
      return Promise.resolve({
        result: refusalResult(intent.intentId, reason, intent),
        retryAfterMs: 1_000,
      });
    }
    const promise = this.run(intent, rules, fingerprint).finally(() => {
      this.running.delete(intent.intentId);
    });
    this.running.set(intent.intentId, { fingerprint, promise });
    return promise;
  }

  private async run(
    intent: OrderIntent,
    rules: SymbolRules,
    fingerprint: string,
  ): Promise<PlaceOrderOutcome> {
    const known = await this.replay(intent, fingerprint);
    if (known !== null) return known;
    const clientOrderId = intent.clientOrderId ?? clientOrderIdBase(intent.intentId);
    const claimed = await this.claim(clientOrderId, fingerprint);
    if (claimed === "mismatch") return mismatch(intent);
    if (claimed === "other") return this.awaitOther(intent, rules, fingerprint);
    try {
      const outcome = await this.placeClaimed(intent, rules, fingerprint, clientOrderId);
      if (outcome.stored) {
        await this.deps.idempotency
          .complete(clientOrderId, fingerprint, outcome.result, this.deps.settings.idempotencyTtlMs)
          .catch((error: unknown) =>
            this.deps.logger.warn("idempotency complete failed", { error: String(error) }),
          );
      } else {
        await this.release(clientOrderId);
      }
      return outcome.retryAfterMs === undefined
        ? { result: outcome.result }
        : { result: outcome.result, retryAfterMs: outcome.retryAfterMs };
    } catch (error) {
      await this.release(clientOrderId);
      throw error;
    }
  }

  /** The fast path can fail (Redis down): the store's unique intent id still protects us. */
  private async claim(key: string, fingerprint: string): Promise<"claimed" | "mismatch" | "other"> {
    try {
      const outcome = await this.deps.idempotency.claim(
        key,
        fingerprint,
        this.deps.settings.idempotencyLeaseMs,
      );
      if (outcome.claimed) return "claimed";
      return outcome.record.fingerprint === fingerprint ? "other" : "mismatch";
    } catch (error) {
      this.deps.logger.warn("idempotency claim failed; relying on the store", {
        error: String(error),
      });
      return "claimed";
    }
  }

  private async release(key: string): Promise<void> {
    await this.deps.idempotency.release(key).catch(() => undefined);
  }

  /** The stored result of a known intent, refreshed to its current state; null when new. */
  private async replay(
    intent: OrderIntent,
    fingerprint: string,
  ): Promise<PlaceOrderOutcome | null> {
    const state = await this.deps.ledger.load(intent.intentId);
    if (state === null) return null;
    if (state.record.fingerprint !== fingerprint) return mismatch(intent);
    return { result: this.deps.ledger.preview(state, {}).result };
  }

  /** Another instance holds the claim: wait (bounded) for it to finish, then replay. */
  private async awaitOther(
    intent: OrderIntent,
    rules: SymbolRules,
    fingerprint: string,
  ): Promise<PlaceOrderOutcome> {
    const { clock, settings } = this.deps;
    const deadlineMs = clock.nowMs() + settings.duplicateWaitMs;
    for (;;) {
      const record = await this.deps.idempotency.get(
        intent.clientOrderId ?? clientOrderIdBase(intent.intentId),
      );
      const finished = record === null || record.state === "DONE";
      if (finished || clock.nowMs() >= deadlineMs) {
        const replayed = await this.replay(intent, fingerprint);
        if (replayed !== null) return replayed;
        // The other holder gave up (or its lease ran out) without storing: take over. Not
        // execute(): this call is itself the running entry for the intent.
        if (finished) return this.run(intent, rules, fingerprint);
        const reason = refusal(
          "EXCHANGE_UNAVAILABLE",
          "the same intent is being placed elsewhere; retry shortly",
        );
        return { result: refusalResult(intent.intentId, reason, intent), retryAfterMs: 1_000 };
      }
      await clock.sleepMs(settings.duplicatePollMs);
    }
  }

  private async placeClaimed(
    intent: OrderIntent,
    rules: SymbolRules,
    fingerprint: string,
    clientOrderId: string,
  ): Promise<PlaceOrderOutcome & { stored: boolean }> {
    const named = requestedPolicyType(intent);
    const table = this.deps.routeTable?.current() ?? null;
    if ((table === null || intent.execPolicy?.type) && this.deps.executors[named] === undefined) {
      return unstored(intent, notSupported(named));
    }
    for (const gate of this.deps.gates ?? []) {
      const refused = await gate(intent);
      if (refused !== null) return unstored(intent, refused);
    }
    const snapshot = await this.deps.marketData.snapshot(intent.market, intent.symbol);
    const preTrade = await this.preTradeChecks(intent, rules, snapshot);
    if (preTrade !== null) return unstored(intent, preTrade);
    const resolution = resolveIntentPolicy(
      intent,
      table,
      snapshot,
      this.deps.policySettings ?? defaultPolicySettings,
    );
    if (!resolution.ok) {
      return unstored(
        intent,
        refusal(
          "INVALID_REQUEST",
          resolution.message,
          "exec_policy",
          resolution.code.toLowerCase(),
        ),
      );
    }
    const resolved = resolution.resolved;
    const executor = this.deps.executors[resolved.policy.type];
    if (executor === undefined) return unstored(intent, notSupported(resolved.policy.type));
    const context: ExecutionContext = {
      intent,
      rules,
      clientOrderId,
      snapshot,
      nowMs: this.deps.clock.nowMs(),
      resolved,
    };
    const planned = executor.plan(context);
    if ("refusal" in planned) return unstored(intent, planned.refusal);
    const parent = planned.orders[0];
    if (parent === undefined) throw new Error("Condition failed: a plan without a parent order");
    const record: IntentRecord = {
      intentId: intent.intentId,
      fingerprint,
      orderId: parent.orderId,
      clientOrderId,
      request: intentToJson(intent),
      result: null,
      createdAtMs: context.nowMs,
      updatedAtMs: context.nowMs,
    };
    const initial: IntentState = { record, orders: planned.orders, fills: [] };
    const { result } = this.deps.ledger.preview(initial, {});
    const decision = routeChosen(resolved.policy)
      ? policyDecision(intent, parent.orderId, resolved, snapshot, context.nowMs)
      : null;
    const created = await this.deps.store.createIntent(
      { ...record, result },
      {
        orders: planned.orders,
        strategyEvents: [
          ...(planned.strategyEvents ?? []),
          ...(decision === null ? [] : [decision.strategyEvent]),
        ],
        outbox: [...(planned.outbox ?? []), ...(decision === null ? [] : [decision.outbox])],
      },
    );
    if (!created.created) {
      const replayed = await this.replay(intent, fingerprint);
      return { ...(replayed ?? mismatch(intent)), stored: true };
    }
    const state: IntentState = { ...initial, record: { ...record, result } };
    const final = await this.deps.mutex.run(intent.intentId, () => executor.run(state, context));
    return { result: final.record.result ?? result, stored: true };
  }

  /** Checks that need the market or the account: notional, reduce-only. */
  private async preTradeChecks(
    intent: OrderIntent,
    rules: SymbolRules,
    snapshot: BookSnapshot | null,
  ): Promise<Refusal | null> {
    const limitPrice = intent.execPolicy?.price ?? null;
    const referencePrice =
      limitPrice ?? (snapshot === null ? null : takingPrice(snapshot, intent.side));
    if (referencePrice === null) {
      return refusal(
        "NO_MARKET_DATA",
        `no market price for ${intent.symbol}; cannot check the notional`,
      );
    }
    const isMarketOrder = requestedPolicyType(intent) === "MARKET";
    const notional = checkNotional(
      rules,
      intent.qty,
      referencePrice,
      isMarketOrder,
      isReduceOnly(intent),
    );
    if (notional !== null) return refusal(notional.code, notional.message, "qty", notional.rule);
    if (isReduceOnly(intent)) return this.checkReducible(intent);
    return null;
  }

  /** Reduce-only needs a position on the other side to reduce (DESIGN §3.1). */
  private async checkReducible(intent: OrderIntent): Promise<Refusal | null> {
    const positions = await this.deps.exchange.positions(intent.symbol);
    if (!positions.ok) return null; // the venue's own reduce-only check still applies
    const position = positions.value.find((candidate) => candidate.symbol === intent.symbol);
    const qty = position?.qty ?? { units: 0n, scale: 0 };
    const reducible = intent.side === "SELL" ? isPositive(qty) : isPositive(neg(qty));
    if (reducible) return null;
    return refusal(
      "REDUCE_ONLY_REJECTED",
      `reduce-only ${intent.side} needs an open ${intent.side === "SELL" ? "long" : "short"} position in ${intent.symbol}`,
      "reduce_only",
      "position_to_reduce",
    );
  }
}

function notSupported(policy: PolicyType): Refusal {
  return refusal(
    "NOT_SUPPORTED",
    `exec_policy ${policy} is not available`,
    "exec_policy.type",
    "supported",
  );
}

/** The route table's choice as a router:events entry, with what it was based on. */
function policyDecision(
  intent: OrderIntent,
  orderId: string,
  resolved: Resolved,
  snapshot: BookSnapshot | null,
  nowMs: number,
) {
  const notional = snapshot === null ? null : intentNotional(intent, snapshot);
  const policy = resolved.policy;
  return routeDecision({
    intentId: intent.intentId,
    orderId,
    decision: "policy",
    reason: resolved.reason,
    inputs: {
      policy: policy.type,
      market: intent.market,
      symbol: intent.symbol,
      notional: notional === null ? null : formatDecimal(notional),
      route_table_rev: resolved.rev,
      route: resolved.row === null ? null : `${resolved.row.market}:${resolved.row.symbol}`,
      twap_above_notional:
        resolved.row?.twapAboveNotional == null
          ? null
          : formatDecimal(resolved.row.twapAboveNotional),
      ...(policy.type === "MAKER_THEN_TAKER"
        ? { maker_wait_ms: policy.makerWaitMs, maker_wait_reason: policy.makerWaitReason }
        : {}),
      ...(policy.type === "TWAP"
        ? { slices: policy.sliceCount, slice_policy: policy.slicePolicy }
        : {}),
    },
    tag: "policy",
    nowMs,
  });
}

function mismatch(intent: OrderIntent): PlaceOrderOutcome {
  const reason = refusal(
    "IDEMPOTENCY_MISMATCH",
    `intent_id ${intent.intentId} was already used with a different payload`,
    "intent_id",
    "same_payload",
  );
  return { result: refusalResult(intent.intentId, reason, intent) };
}

function unstored(intent: OrderIntent, reason: Refusal): PlaceOrderOutcome & { stored: false } {
  return {
    result: refusalResult(intent.intentId, reason, intent),
    stored: false,
    ...(reason.retryAfterMs === undefined ? {} : { retryAfterMs: reason.retryAfterMs }),
  };
}
