// MAKER_THEN_TAKER (DESIGN §4): a virtual parent whose children are the post-only maker (and its
// one re-price) and the taker remainder. POST /orders answers once the leg is final; the result's
// exec block says whether the maker timed out and whether the remainder went taker.

import type { ResolvedPolicy, RouteRow } from "../../domain/execution/index.ts";
import {
  childClientOrderId,
  clientOrderIdBase,
  isReduceOnly,
  type ResultExec,
  routerOrderId,
} from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { ExecutionMetrics } from "../shared/execution-metrics.ts";
import type { IntentLedger, IntentState } from "../shared/intent-ledger.ts";
import { midPrice } from "../shared/market.ts";
import { refusal } from "../shared/refusal.ts";
import { childrenOf, finalizeParent, virtualParent } from "../shared/virtual-parent.ts";
import type { LegOutcome, MakerTakerLeg, MakerTakerLegs } from "./maker-taker-leg.ts";
import type { ExecutionContext, PolicyExecutor } from "./policy-executor.ts";

export interface MakerTakerExecutorDeps {
  readonly clock: Clock;
  readonly legs: MakerTakerLegs;
  readonly ledger: IntentLedger;
  readonly stats: ExecutionMetrics;
}

export class MakerTakerExecutor implements PolicyExecutor {
  constructor(private readonly deps: MakerTakerExecutorDeps) {}

  plan(context: ExecutionContext) {
    const { intent } = context;
    const settled = makerPolicyOf(context);
    if (settled === null) {
      return { refusal: refusal("NOT_SUPPORTED", "maker→taker needs a route table") };
    }
    const parent = virtualParent({
      orderId: routerOrderId(intent.intentId, "entry"),
      intentId: intent.intentId,
      clientOrderId: context.clientOrderId,
      market: intent.market,
      symbol: intent.symbol,
      side: intent.side,
      type: "MARKET",
      timeInForce: null,
      qty: intent.qty,
      price: null,
      stopPrice: null,
      reduceOnly: isReduceOnly(intent),
      role: "ENTRY",
      parentId: null,
      midAtSend: midPrice(context.snapshot),
      createdAtMs: context.nowMs,
    });
    return { orders: [parent] };
  }

  async run(state: IntentState, context: ExecutionContext): Promise<IntentState> {
    const settled = makerPolicyOf(context);
    const parent = state.orders.find((order) => order.orderId === state.record.orderId);
    if (settled === null || parent === undefined) {
      throw new Error("Condition failed: a maker→taker intent without its policy or parent");
    }
    const { intent } = context;
    const base = clientOrderIdBase(intent.intentId);
    const leg: MakerTakerLeg = {
      intentId: intent.intentId,
      parentId: parent.orderId,
      role: "ENTRY",
      market: intent.market,
      symbol: intent.symbol,
      side: intent.side,
      reduceOnly: parent.reduceOnly,
      qty: intent.qty,
      waitMs: settled.policy.makerWaitMs,
      row: settled.row,
      rules: context.rules,
      makerIds: [
        {
          orderId: routerOrderId(intent.intentId, "maker-1"),
          clientOrderId: childClientOrderId(base, "mk1"),
        },
        {
          orderId: routerOrderId(intent.intentId, "maker-2"),
          clientOrderId: childClientOrderId(base, "mk2"),
        },
      ],
      takerIds: {
        orderId: routerOrderId(intent.intentId, "taker"),
        clientOrderId: childClientOrderId(base, "tk"),
      },
      tag: "",
    };
    const outcome = await this.deps.legs.run(state, leg);
    const latest = outcome.state.orders.find((order) => order.orderId === parent.orderId) ?? parent;
    const children = childrenOf(latest, outcome.state.orders);
    const final = outcome.unsettled
      ? latest
      : finalizeParent(latest, children, outcome.rejected, this.deps.clock.nowMs());
    const childIds = new Set(outcome.orderIds);
    this.deps.stats.recordFills(
      intent.market,
      outcome.state.fills.filter((fill) => childIds.has(fill.orderId)),
    );
    return this.deps.ledger.save(outcome.state, {
      orders: [final],
      exec: makerExec(settled.policy, context.resolved?.reason ?? "requested", outcome),
      failure: outcome.failure,
    });
  }
}

type MakerPolicy = Extract<ResolvedPolicy, { type: "MAKER_THEN_TAKER" }>;

function makerPolicyOf(context: ExecutionContext): { policy: MakerPolicy; row: RouteRow } | null {
  const resolved = context.resolved;
  if (resolved === undefined || resolved.row === null) return null;
  if (resolved.policy.type !== "MAKER_THEN_TAKER") return null;
  return { policy: resolved.policy, row: resolved.row };
}

/** Which policy ran and why: a skipped maker leg is reported as the market order it became. */
export function makerExec(policy: MakerPolicy, reason: string, outcome: LegOutcome): ResultExec {
  if (outcome.makerSkipped !== null) {
    return { policy: "MARKET", reason: outcome.makerSkipped, fell_back_to_taker: false };
  }
  return {
    policy: policy.type,
    reason,
    maker_timeout: outcome.makerTimeout,
    fell_back_to_taker: outcome.fellBackToTaker,
  };
}
