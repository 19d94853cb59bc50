// exec_policy OCO (SPOT, DESIGN §3.1, §5): the entry (a market order, or a limit when a price is
// given), then protection of what it filled. Prices on the wrong sides of the market are refused
// before anything is stored: a BUY needs tp > market > sl, a SELL tp < market < sl.

import { gt, lt } from "../../domain/decimal/index.ts";
import { newOrder, routerOrderId } from "../../domain/order/index.ts";
import type { ExecutionContext, PolicyExecutor } from "../place-order/policy-executor.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { bookTop3, midPrice } from "../shared/market.ts";
import { errorCode, sendOrder } from "../shared/order-sender.ts";
import { refusal } from "../shared/refusal.ts";
import { fillEvent } from "../shared/venue-sync.ts";
import { placeholderLegs } from "./placeholders.ts";
import type { Protection } from "./protection.ts";
import { protectionRequestOf } from "./protection-request.ts";

export class SpotOcoExecutor implements PolicyExecutor {
  constructor(private readonly protection: Protection) {}

  plan(context: ExecutionContext) {
    const { intent } = context;
    const policy = intent.execPolicy;
    if (intent.market !== "SPOT" || policy === null) {
      return {
        refusal: refusal("INVALID_REQUEST", "OCO applies to SPOT", "exec_policy.type", "spot_only"),
      };
    }
    const tp = policy.tpPrice;
    const sl = policy.slPrice;
    const mid = midPrice(context.snapshot);
    if (tp === null || sl === null || mid === null) {
      return {
        refusal: refusal("NO_MARKET_DATA", `no market price for ${intent.symbol}`, "symbol"),
      };
    }
    const buy = intent.side === "BUY";
    const related = buy ? gt(tp, mid) && lt(sl, mid) : lt(tp, mid) && gt(sl, mid);
    if (!related) {
      const order = buy ? "tp_price > market > sl_price" : "tp_price < market < sl_price";
      return {
        refusal: refusal(
          "INVALID_REQUEST",
          `an OCO ${intent.side} needs ${order}`,
          "exec_policy.tp_price",
          "oco_price_relationship",
        ),
      };
    }
    const limit = policy.price !== null;
    const entry = newOrder({
      orderId: routerOrderId(intent.intentId, "entry"),
      intentId: intent.intentId,
      clientOrderId: context.clientOrderId,
      market: "SPOT",
      symbol: intent.symbol,
      side: intent.side,
      type: limit ? "LIMIT" : "MARKET",
      timeInForce: limit ? (policy.timeInForce ?? "GTC") : null,
      qty: intent.qty,
      price: policy.price,
      stopPrice: null,
      reduceOnly: false,
      role: "ENTRY",
      parentId: null,
      midAtSend: mid,
      createdAtMs: context.nowMs,
    });
    return { orders: [entry, ...placeholderLegs(intent, entry.orderId, context.nowMs)] };
  }

  async run(state: IntentState, context: ExecutionContext): Promise<IntentState> {
    const entry = state.orders.find((order) => order.orderId === state.record.orderId);
    if (entry === undefined) throw new Error("Condition failed: stored intent without entry");
    const { context: deps } = this.protection;
    const sent = await sendOrder(deps, entry, {
      rules: context.rules,
      bookTop3: bookTop3(context.snapshot),
    });
    const saved = await deps.ledger.save(state, {
      orders: [sent.order],
      fills: sent.newFills,
      outbox: sent.newFills.map((fill) => fillEvent(sent.order, fill)),
      exec: { policy: "OCO", reason: "requested" },
      failure:
        sent.error === null ? null : { code: errorCode(sent.error), message: sent.error.message },
    });
    return this.protection.afterEntry(saved, protectionRequestOf(context.intent));
  }
}
