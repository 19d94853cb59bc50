// An execution policy with protection around it: a futures entry's symbol is set up first (ISOLATED,
// leverage), its sl/tp are checked against the market before anything is stored, and once the
// entry has run its fills are protected. A stand-alone PROTECT intent places only its legs on the
// position that already exists.

import { isPositive, neg } from "../../domain/decimal/index.ts";
import { applyEvent, newOrder, type Order, opensPosition } from "../../domain/order/index.ts";
import { checkProtectionPrices } from "../../domain/protection/index.ts";
import type { ExecutionContext, PolicyExecutor } from "../place-order/policy-executor.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { takingPrice } from "../shared/market.ts";
import { type Refusal, refusal } from "../shared/refusal.ts";
import type { CoveredPosition } from "./futures-protection.ts";
import type { Protection } from "./protection.ts";
import { placeholderLegs } from "./placeholders.ts";
import { protectionIds } from "./protection-ids.ts";
import { protectionRequestOf } from "./protection-request.ts";

export class ProtectedExecutor implements PolicyExecutor {
  constructor(
    private readonly inner: PolicyExecutor,
    private readonly protection: Protection,
  ) {}

  plan(context: ExecutionContext) {
    const { intent } = context;
    if (intent.kind === "PROTECT") return planStandalone(context);
    const refused = checkTargets(context);
    if (refused !== null) return { refusal: refused };
    const planned = this.inner.plan(context);
    if ("refusal" in planned) return planned;
    const parent = planned.orders[0];
    if (parent === undefined) return planned;
    const placeholders = placeholderLegs(intent, parent.orderId, context.nowMs);
    return placeholders.length === 0
      ? planned
      : { ...planned, orders: [...planned.orders, ...placeholders] };
  }

  async run(state: IntentState, context: ExecutionContext): Promise<IntentState> {
    const { intent } = context;
    if (intent.kind === "PROTECT") return this.runStandalone(state, context);
    if (intent.market === "FUT" && opensPosition(intent)) {
      await this.protection.symbols.ensure(intent.symbol);
    }
    const after = await this.inner.run(state, context);
    return this.protection.afterEntry(after, protectionRequestOf(intent));
  }

  /** PROTECT: the position must be there (on the side the legs close); then the legs. */
  private async runStandalone(state: IntentState, context: ExecutionContext): Promise<IntentState> {
    const { intent, rules } = context;
    const { exchange, ledger, clock } = this.protection.context;
    const positions = await exchange.positions(intent.symbol);
    const held = positions.ok
      ? positions.value.find((position) => position.symbol === intent.symbol)
      : undefined;
    const long = intent.side === "SELL";
    const size = held === undefined ? null : long ? held.qty : neg(held.qty);
    if (held === undefined || size === null || !isPositive(size)) {
      const rejected = state.orders.map((order) => {
        const change = applyEvent(order, "REJECTED", clock.nowMs());
        return change.ok ? change.order : order;
      });
      return ledger.save(state, {
        orders: rejected,
        failure: {
          code: "REDUCE_ONLY_REJECTED",
          message: `PROTECT ${intent.side} needs an open ${long ? "long" : "short"} position in ${intent.symbol}`,
        },
      });
    }
    const request = protectionRequestOf(intent);
    const position: CoveredPosition = {
      rules,
      side: long ? "BUY" : "SELL",
      qty: intent.qty,
      entryPrice: held.entryPrice,
      entryFeeUsdt: { units: 0n, scale: 0 },
      parentId: state.record.orderId,
      sinceMs: clock.nowMs(),
    };
    const protect = { ...request, side: position.side };
    const tp = await this.protection.futures.takeProfitFor(protect, position);
    return this.protection.futures.place(state, protect, position, tp);
  }
}

/** A futures entry's stop must lie on the losing side of the price it enters at, its target on
 *  the winning side: refused before anything is stored or sent. */
function checkTargets(context: ExecutionContext): Refusal | null {
  const { intent, snapshot } = context;
  if (intent.market !== "FUT" || intent.kind !== "ENTRY" || snapshot === null) return null;
  if (intent.sl === null && intent.tp === null) return null;
  const violations = checkProtectionPrices({
    positionSide: intent.side === "BUY" ? "LONG" : "SHORT",
    entryPrice: takingPrice(snapshot, intent.side),
    currentPrice: null,
    stopPrice: intent.sl?.price ?? null,
    takeProfitPrice: intent.tp?.target === "price" ? intent.tp.value : null,
  });
  const first = violations[0];
  if (first === undefined) return null;
  const field = first.field === "sl" ? "sl.price" : "tp.value";
  return refusal("INVALID_REQUEST", first.message, field, first.code.toLowerCase());
}

/**
 * PROTECT (futures): `side` is the side of the protective orders (SELL protects a long), `qty`
 * the quantity they cover. The stop leg is the parent (the take-profit when there is no stop).
 */
function planStandalone(context: ExecutionContext) {
  const { intent, nowMs } = context;
  if (intent.market !== "FUT") {
    return refused("a PROTECT intent applies to FUT; protect SPOT with exec_policy OCO", "market");
  }
  if (intent.sl === null && intent.tp?.target !== "price") {
    return refused("a PROTECT intent needs sl, or tp with a price", "sl");
  }
  const ids = protectionIds(intent.intentId);
  const orders: Order[] = [];
  const leg = (id: typeof ids.stopLoss, role: "SL" | "TP", parentId: string | null) =>
    newOrder({
      orderId: id.orderId,
      intentId: intent.intentId,
      clientOrderId: id.clientOrderId,
      market: "FUT",
      symbol: intent.symbol,
      side: intent.side,
      type: role === "SL" ? "STOP_MARKET" : "TAKE_PROFIT_MARKET",
      timeInForce: null,
      qty: intent.qty,
      price: null,
      stopPrice: role === "SL" ? intent.sl!.price : intent.tp!.value,
      reduceOnly: true,
      role,
      parentId,
      midAtSend: null,
      createdAtMs: nowMs,
    });
  if (intent.sl !== null) orders.push(leg(ids.stopLoss, "SL", null));
  if (intent.tp?.target === "price") {
    orders.push(leg(ids.takeProfit, "TP", orders[0]?.orderId ?? null));
  }
  return { orders };
}

function refused(message: string, field: string): { refusal: Refusal } {
  return { refusal: refusal("INVALID_REQUEST", message, field, "protect") };
}
