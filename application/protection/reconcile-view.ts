// The venue as order reconciliation should see protective orders. Reconciliation asks for every
// open order with queryOrder; a futures leg is an algo order (queryConditional answers for it), and
// a leg written ahead, emulated by a guardian, or a guardian exit not yet sent is not on the venue
// at all. "Unknown order" would close those as never sent; here it reads "not available", so
// protection (the sweep, the guardian) is the one that settles them.

import type {
  ExchangeGateway,
  ExchangeOrder,
  ExchangeResult,
  OrderRef,
} from "../../ports/exchange-gateway.ts";
import { conditionalVenueStatus } from "./conditional-legs.ts";

const legSuffix = /\/(sl|tp)$/;
const guardianSuffix = /\/(gsl|gtp|gtg|gx\d{1,3})$/;

export function reconcileView(exchange: ExchangeGateway): ExchangeGateway {
  const queryOrder = (ref: OrderRef) => queryProtective(exchange, ref);
  return new Proxy(exchange, {
    get(target, property, receiver) {
      if (property === "queryOrder") return queryOrder;
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function queryProtective(
  exchange: ExchangeGateway,
  ref: OrderRef,
): Promise<ExchangeResult<ExchangeOrder>> {
  const leg = legSuffix.test(ref.clientOrderId);
  if (!leg && !guardianSuffix.test(ref.clientOrderId)) return exchange.queryOrder(ref);
  if (leg && ref.market === "FUT") return queryConditionalLeg(exchange, ref);
  const answer = await exchange.queryOrder(ref);
  if (answer.ok || answer.error.kind !== "UNKNOWN_ORDER") return answer;
  return notYet(ref);
}

async function queryConditionalLeg(
  exchange: ExchangeGateway,
  ref: OrderRef,
): Promise<ExchangeResult<ExchangeOrder>> {
  const answer = await exchange.queryConditional(ref.symbol, ref.clientOrderId);
  if (!answer.ok) return answer.error.kind === "UNKNOWN_ORDER" ? notYet(ref) : answer;
  const venue = answer.value;
  const status = conditionalVenueStatus(venue);
  if (status === null || status === "FILLED") {
    // Triggered: the market order it became carries the fills.
    const triggered = await exchange.queryOrder(ref);
    if (triggered.ok) return triggered;
    if (status === null) return notYet(ref);
  }
  return {
    ok: true,
    value: {
      market: "FUT",
      symbol: venue.symbol,
      exchangeOrderId: venue.algoId,
      clientOrderId: venue.clientAlgoId,
      side: venue.side,
      type: venue.type,
      timeInForce: null,
      qty: venue.qty ?? venue.filledQty,
      price: null,
      stopPrice: venue.triggerPrice,
      status: status ?? "NEW",
      filledQty: venue.filledQty,
      avgPrice: venue.avgPrice,
      fills: [],
      reduceOnly: venue.reduceOnly,
      orderListId: null,
      updateTimeMs: venue.updateTimeMs,
    },
  };
}

function notYet(ref: OrderRef): ExchangeResult<ExchangeOrder> {
  return {
    ok: false,
    error: {
      kind: "UNAVAILABLE",
      message: `${ref.clientOrderId} is a protective order not on the venue; protection settles it`,
    },
  };
}
