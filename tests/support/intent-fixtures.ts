// One builder of order intents for tests: a FUT BTCUSDT market BUY unless overridden.

import { type Decimal, dec } from "../../domain/decimal/index.ts";
import type { OrderIntent } from "../../domain/order/index.ts";

export type IntentOverrides = Omit<Partial<OrderIntent>, "qty"> & { qty?: string | Decimal };

export function intent(overrides: IntentOverrides = {}): OrderIntent {
  const { qty, ...rest } = overrides;
  return {
    intentId: "intent-1",
    uuid: null,
    kind: "ENTRY",
    market: "FUT",
    symbol: "BTCUSDT",
    side: "BUY",
    qty: typeof qty === "string" ? dec(qty) : (qty ?? dec("0.002")),
    clientOrderId: null,
    reduceOnly: false,
    execPolicy: null,
    sl: null,
    tp: null,
    ...rest,
  };
}
