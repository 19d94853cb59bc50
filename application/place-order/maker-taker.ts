// MAKER_THEN_TAKER (DESIGN §4): a virtual parent whose children are the post-only maker (and its
// one re-price) and the taker remainder. POST /orders answers once the leg is final; the result's
// exec block says whether the maker timed out and whether the remainder went taker. When no
// maker would be posted (no wait, no book, an order too small to leave a valid remainder) the
// intent is the plain market order it amounts to, and the exec block says so and why.

import type { ResolvedPolicy, RouteRow } from "../../domain/execution/index.ts";
import {
  childClientOrderId,
  clientOrderIdBase,
  isReduceOnly,
  newOrder,
  type Order,
  type ResultExec,
  routerOrderId,
} from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { ExecutionMetrics } from "../shared/execution-metrics.ts";
import type { IntentLedger, IntentState } from "../shared/intent-ledger.ts";
import { bookTop3, midPrice } from "../shared/market.ts";
import { errorCode, type SendDeps, sendOrder } from "../shared/order-sender.ts";
import { refusal } from "../shared/refusal.ts";
import { fillEvent } from "../shared/venue-sync.ts";
import { childrenOf, finalizeParent, virtualParent } from "../shared/virtual-parent.ts";
import {
  type LegOutcome,
  type MakerSkip,
  type MakerTakerLeg,
  type MakerTakerLegs,
  makerSkipReason,
} from "./maker-taker-leg.ts";
import type { ExecutionContext, PolicyExecutor } from "./policy-executor.ts";

export interface MakerTakerExecutorDeps {
  readonly clock: Clock;
  readonly legs: MakerTakerLegs;
  readonly ledger: IntentLedger;
  readonly stats: ExecutionMetrics;
  /** For the plain market order a skipped maker leg becomes. */
  readonly send: SendDeps;
}

type MakerPolicy = Extract<ResolvedPolicy, { type: "MAKER_THEN_TAKER" }>;

interface Settled {
  readonly policy: MakerPolicy;
  readonly row: RouteRow;
  readonly skip: MakerSkip | null;
}

export class MakerTakerExecutor implements PolicyExecutor {
  constructor(private readonly deps: MakerTakerExecutorDeps) {}

  plan(context: ExecutionContext) {
    const settled = settle(context);
    if (settled === null) {
      return { refusal: refusal("NOT_SUPPORTED", "maker→taker needs a route table") };
    }
    const { intent } = context;
    const fields = {
      orderId: routerOrderId(intent.intentId, "entry"),
      intentId: intent.intentId,
      clientOrderId: context.clientOrderId,
      market: intent.market,
      symbol: intent.symbol,
      side: intent.side,
      type: "MARKET" as const,
      timeInForce: null,
      qty: intent.qty,
      price: null,
      stopPrice: null,
      reduceOnly: isReduceOnly(intent),
      role: "ENTRY" as const,
      parentId: null,
      midAtSend: midPrice(context.snapshot),
      createdAtMs: context.nowMs,
    };
    return { orders: [settled.skip === null ? virtualParent(fields) : newOrder(fields)] };
  }

  async run(state: IntentState, context: ExecutionContext): Promise<IntentState> {
    const settled = settle(context);
    const parent = state.orders.find((order) => order.orderId === state.record.orderId);
    if (settled === null || parent === undefined) {
      throw new Error("Condition failed: a maker→taker intent without its policy or parent");
    }
    if (settled.skip !== null) return this.plainMarket(state, parent, context, settled.skip);
    const outcome = await this.deps.legs.run(state, makerLeg(context, parent, settled));
    const latest = outcome.state.orders.find((order) => order.orderId === parent.orderId) ?? parent;
    const children = childrenOf(latest, outcome.state.orders);
    const final = outcome.unsettled
      ? latest
      : finalizeParent(latest, children, outcome.rejected, this.deps.clock.nowMs());
    const childIds = new Set(outcome.orderIds);
    this.deps.stats.recordFills(
      context.intent.market,
      outcome.state.fills.filter((fill) => childIds.has(fill.orderId)),
    );
    return this.deps.ledger.save(outcome.state, {
      orders: [final],
      exec: makerExec(settled.policy, context.resolved?.reason ?? "requested", outcome),
      failure: outcome.failure,
    });
  }

  /** The whole quantity as one market order: the parent itself goes to the venue. */
  private async plainMarket(
    state: IntentState,
    parent: Order,
    context: ExecutionContext,
    skip: MakerSkip,
  ): Promise<IntentState> {
    const sent = await sendOrder(this.deps.send, parent, {
      rules: context.rules,
      bookTop3: bookTop3(context.snapshot),
    });
    this.deps.stats.recordFills(parent.market, sent.newFills);
    return this.deps.ledger.save(state, {
      orders: [sent.order],
      fills: sent.newFills,
      outbox: sent.newFills.map((fill) => fillEvent(sent.order, fill)),
      exec: { policy: "MARKET", reason: skip },
      failure:
        sent.error === null ? null : { code: errorCode(sent.error), message: sent.error.message },
    });
  }
}

function settle(context: ExecutionContext): Settled | null {
  const resolved = context.resolved;
  if (resolved === undefined || resolved.row === null) return null;
  const policy = resolved.policy;
  if (policy.type !== "MAKER_THEN_TAKER") return null;
  const { intent } = context;
  const skip = makerSkipReason(
    {
      waitMs: policy.makerWaitMs,
      rules: context.rules,
      side: intent.side,
      qty: intent.qty,
      reduceOnly: isReduceOnly(intent),
    },
    context.snapshot,
  );
  return { policy, row: resolved.row, skip };
}

function makerLeg(context: ExecutionContext, parent: Order, settled: Settled): MakerTakerLeg {
  const { intent } = context;
  const base = clientOrderIdBase(intent.intentId);
  const child = (role: string, suffix: string) => ({
    orderId: routerOrderId(intent.intentId, role),
    clientOrderId: childClientOrderId(base, suffix),
  });
  return {
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
    makerIds: [child("maker-1", "mk1"), child("maker-2", "mk2")],
    takerIds: child("taker", "tk"),
    tag: "",
  };
}

/** Which policy ran and why. */
export function makerExec(policy: MakerPolicy, reason: string, outcome: LegOutcome): ResultExec {
  return {
    policy: policy.type,
    reason,
    maker_timeout: outcome.makerTimeout,
    fell_back_to_taker: outcome.fellBackToTaker,
  };
}
