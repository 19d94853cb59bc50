// Static checks of an intent against its symbol's rules: everything that needs no market data.
// Off-grid values are refused, never rounded (STYLE rule 5).

import { checkPrice, checkQuantity, type SymbolRules } from "../../domain/instrument/index.ts";
import type { OrderIntent, PolicyType } from "../../domain/order/index.ts";
import { type Refusal, refusal } from "../shared/refusal.ts";

export function validateIntent(intent: OrderIntent, rules: SymbolRules): Refusal | null {
  const policy = intent.execPolicy;
  const isMarketOrder = requestedPolicyType(intent) === "MARKET";
  const quantity = checkQuantity(rules, intent.qty, isMarketOrder);
  if (quantity !== null)
    return refusal(quantity.code, quantity.message, quantity.field, quantity.rule);
  if (intent.market === "SPOT" && intent.reduceOnly) {
    return refusal("INVALID_REQUEST", "reduce_only applies to FUT only", "reduce_only", "fut_only");
  }
  if (intent.market === "SPOT" && (intent.sl !== null || intent.tp !== null)) {
    return refusal(
      "INVALID_REQUEST",
      "sl/tp apply to FUT; use exec_policy OCO on SPOT",
      "sl",
      "fut_only",
    );
  }
  if (intent.market === "FUT" && policy?.type === "OCO") {
    return refusal(
      "INVALID_REQUEST",
      "OCO applies to SPOT; use sl/tp on FUT",
      "exec_policy.type",
      "spot_only",
    );
  }
  if (policy?.type === "LIMIT" && policy.price === null) {
    return refusal(
      "INVALID_REQUEST",
      "a LIMIT policy needs exec_policy.price",
      "exec_policy.price",
      "required",
    );
  }
  const prices: Array<[string, typeof intent.qty | null | undefined]> = [
    ["exec_policy.price", policy?.price],
    ["exec_policy.tp_price", policy?.tpPrice],
    ["exec_policy.sl_price", policy?.slPrice],
    ["sl.price", intent.sl?.price],
    ["tp.value", intent.tp?.target === "price" ? intent.tp.value : null],
  ];
  for (const [field, price] of prices) {
    if (price === null || price === undefined) continue;
    const problem = checkPrice(rules, price);
    if (problem !== null) {
      return refusal("PRICE_FILTER", problem.message.replace(/^price/, field), field, problem.rule);
    }
  }
  if (policy?.type === "OCO" && (policy.tpPrice === null || policy.slPrice === null)) {
    return refusal(
      "INVALID_REQUEST",
      "an OCO policy needs tp_price and sl_price",
      "exec_policy",
      "required",
    );
  }
  return null;
}

/** The policy the request names: its type, LIMIT when only a price is given, else MARKET. */
export function requestedPolicyType(intent: OrderIntent): PolicyType {
  const policy = intent.execPolicy;
  if (policy?.type) return policy.type;
  return policy?.price ? "LIMIT" : "MARKET";
}
