// The guardian's venue calls for its take-profit leg, whatever that leg is (a spot limit maker, a
// spot OCO list, a futures algo order): cancel or query it and report what it executed, final or
// not. A cancel that finds nothing to cancel asks again by query, so "already gone" still answers.

import { add, type Decimal, zero } from "../../domain/decimal/index.ts";
import type {
  ConditionalOrder,
  ExchangeGateway,
  ExchangeOrder,
  ExchangeResult,
  OrderList,
} from "../../ports/exchange-gateway.ts";
import { conditionalVenueStatus } from "../protection/conditional-legs.ts";
import type { GuardMeta } from "./guard-model.ts";

export interface TakeProfitReport {
  /** Venue orders to fold into the stored rows (by client id). */
  readonly orders: readonly ExchangeOrder[];
  /** The futures algo order as the venue reports it, for the stored leg. */
  readonly conditional: ConditionalOrder | null;
  /** Executed so far (cumulative). */
  readonly executed: Decimal;
  /** Set when the leg can no longer execute: its final executed quantity. */
  readonly finalExecuted: Decimal | null;
}

export type TakeProfitCall = "cancel" | "query";

/** The venue answered, it does not know the leg (never arrived, or long gone), or it failed. */
export type TakeProfitAnswer = TakeProfitReport | "ABSENT" | null;

const venueTerminal = new Set(["FILLED", "CANCELED", "REJECTED", "EXPIRED"]);

export async function takeProfitReport(
  exchange: ExchangeGateway,
  meta: GuardMeta,
  call: TakeProfitCall,
): Promise<TakeProfitAnswer> {
  const tp = meta.takeProfit;
  switch (tp.kind) {
    case "NONE":
      return null;
    case "ORDER":
      return orderReport(exchange, meta, tp.clientOrderId, call);
    case "LIST":
      return listReport(exchange, meta, tp.listClientOrderId, call);
    case "CONDITIONAL":
      return conditionalReport(exchange, meta, tp.clientOrderId, call);
  }
}

async function orderReport(
  exchange: ExchangeGateway,
  meta: GuardMeta,
  clientOrderId: string,
  call: TakeProfitCall,
): Promise<TakeProfitAnswer> {
  const ref = { market: meta.market, symbol: meta.symbol, clientOrderId };
  let answer: ExchangeResult<ExchangeOrder> | null =
    call === "cancel" ? await exchange.cancelOrder(ref) : null;
  // Already final, lost, or refused: the order as it stands answers for it.
  if (answer === null || !answer.ok) answer = await exchange.queryOrder(ref);
  if (!answer.ok) return answer.error.kind === "UNKNOWN_ORDER" ? "ABSENT" : null;
  const order = answer.value;
  const final = venueTerminal.has(order.status) ? order.filledQty : null;
  return { orders: [order], conditional: null, executed: order.filledQty, finalExecuted: final };
}

async function listReport(
  exchange: ExchangeGateway,
  meta: GuardMeta,
  listClientOrderId: string,
  call: TakeProfitCall,
): Promise<TakeProfitAnswer> {
  const ref = { symbol: meta.symbol, listClientOrderId };
  let answer: ExchangeResult<OrderList> | null =
    call === "cancel" ? await exchange.cancelOrderList(ref) : null;
  if (answer === null || !answer.ok) answer = await exchange.queryOrderList(ref);
  if (!answer.ok) return answer.error.kind === "UNKNOWN_ORDER" ? "ABSENT" : null;
  const list = answer.value;
  let executed = zero;
  for (const order of list.orders) executed = add(executed, order.filledQty);
  const allEnded =
    list.orders.length > 0 && list.orders.every((order) => venueTerminal.has(order.status));
  const final = list.status !== "EXECUTING" || allEnded ? executed : null;
  return { orders: list.orders, conditional: null, executed, finalExecuted: final };
}

async function conditionalReport(
  exchange: ExchangeGateway,
  meta: GuardMeta,
  clientAlgoId: string,
  call: TakeProfitCall,
): Promise<TakeProfitAnswer> {
  let answer: ExchangeResult<ConditionalOrder> | null =
    call === "cancel" ? await exchange.cancelConditional(meta.symbol, clientAlgoId) : null;
  if (answer === null || !answer.ok)
    answer = await exchange.queryConditional(meta.symbol, clientAlgoId);
  if (!answer.ok) return null;
  const venue = answer.value;
  const status = conditionalVenueStatus(venue);
  const orders: ExchangeOrder[] = [];
  if (status === null || status === "FILLED") {
    // The triggered market order carries the fills (trade ids) for the stored leg.
    const triggered = await exchange.queryOrder({
      market: "FUT",
      symbol: meta.symbol,
      clientOrderId: clientAlgoId,
    });
    if (triggered.ok) orders.push(triggered.value);
  }
  const final = status !== null && status !== "NEW" ? venue.filledQty : null;
  return { orders, conditional: venue, executed: venue.filledQty, finalExecuted: final };
}
