// Plain MARKET and LIMIT (GTC / IOC / FOK): one venue order, rounded and validated beforehand.
// MARKET and IOC/FOK answer once final; a resting GTC limit answers ACCEPTED.

import { newOrder, type OrderType, routerOrderId } from "../../domain/order/index.ts";
import type { ExecutionMetrics } from "../shared/execution-metrics.ts";
import type { IntentLedger, IntentState } from "../shared/intent-ledger.ts";
import { bookTop3, midPrice } from "../shared/market.ts";
import { errorCode, type SendDeps, sendOrder } from "../shared/order-sender.ts";
import { fillEvent } from "../shared/venue-sync.ts";
import type { ExecutionContext, PolicyExecutor } from "./policy-executor.ts";
import { requestedPolicyType } from "./validate-intent.ts";

export class SingleOrderExecutor implements PolicyExecutor {
  constructor(
    private readonly deps: SendDeps,
    private readonly ledger: IntentLedger,
    /** TCA metrics of the fills the send returned (resting limits fill later, by events). */
    private readonly stats?: ExecutionMetrics,
  ) {}

  plan(context: ExecutionContext) {
    const { intent } = context;
    const type: OrderType = requestedPolicyType(intent) === "LIMIT" ? "LIMIT" : "MARKET";
    const policy = intent.execPolicy;
    const parent = newOrder({
      orderId: routerOrderId(intent.intentId, "entry"),
      intentId: intent.intentId,
      clientOrderId: context.clientOrderId,
      market: intent.market,
      symbol: intent.symbol,
      side: intent.side,
      type,
      timeInForce: type === "LIMIT" ? (policy?.timeInForce ?? "GTC") : null,
      qty: intent.qty,
      price: type === "LIMIT" ? (policy?.price ?? null) : null,
      stopPrice: null,
      reduceOnly: intent.market === "FUT" && (intent.reduceOnly || intent.kind !== "ENTRY"),
      role: "ENTRY",
      parentId: null,
      midAtSend: midPrice(context.snapshot),
      createdAtMs: context.nowMs,
    });
    return { orders: [parent] };
  }

  async run(state: IntentState, context: ExecutionContext): Promise<IntentState> {
    const parent = state.orders.find((order) => order.orderId === state.record.orderId);
    if (parent === undefined) throw new Error("Condition failed: stored intent without parent");
    const sent = await sendOrder(this.deps, parent, {
      rules: context.rules,
      bookTop3: bookTop3(context.snapshot),
    });
    this.stats?.recordFills(parent.market, sent.newFills);
    return this.ledger.save(state, {
      orders: [sent.order],
      fills: sent.newFills,
      outbox: sent.newFills.map((fill) => fillEvent(sent.order, fill)),
      exec: {
        policy: parent.type,
        reason:
          context.resolved?.reason ?? (context.intent.execPolicy?.type ? "requested" : "default"),
      },
      failure:
        sent.error === null ? null : { code: errorCode(sent.error), message: sent.error.message },
    });
  }
}
