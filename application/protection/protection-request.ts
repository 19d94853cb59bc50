// What an intent asks of protection, read either from the validated intent or from the stored
// request (when protection happens later, on a fill event), and what the entry actually holds.

import {
  add,
  type Decimal,
  div,
  isPositive,
  mul,
  parseDecimal,
  zero,
} from "../../domain/decimal/index.ts";
import type { Market } from "../../domain/instrument/index.ts";
import type { IntentKind, OrderIntent, Side, TakeProfitTarget } from "../../domain/order/index.ts";
import type { CommissionPaid } from "../../domain/protection/index.ts";
import type { IntentState } from "../shared/intent-ledger.ts";

export interface ProtectionRequest {
  readonly intentId: string;
  readonly kind: IntentKind;
  readonly market: Market;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Decimal;
  /** Futures stop-loss trigger. */
  readonly stopLoss: Decimal | null;
  readonly takeProfit: { readonly target: TakeProfitTarget; readonly value: Decimal } | null;
  /** Spot OCO prices (exec_policy type OCO). */
  readonly oco: { readonly takeProfit: Decimal; readonly stopLoss: Decimal } | null;
}

export function protectionRequestOf(intent: OrderIntent): ProtectionRequest {
  const policy = intent.execPolicy;
  const oco =
    policy?.type === "OCO" && policy.tpPrice !== null && policy.slPrice !== null
      ? { takeProfit: policy.tpPrice, stopLoss: policy.slPrice }
      : null;
  return {
    intentId: intent.intentId,
    kind: intent.kind,
    market: intent.market,
    symbol: intent.symbol,
    side: intent.side,
    qty: intent.qty,
    stopLoss: intent.sl?.price ?? null,
    takeProfit: intent.tp === null ? null : { target: intent.tp.target, value: intent.tp.value },
    oco,
  };
}

/** Reads the stored request (intentToJson: decimals as strings); null when it is not one. */
export function protectionRequestFromStored(stored: unknown): ProtectionRequest | null {
  if (typeof stored !== "object" || stored === null) return null;
  const request = stored as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  const decimal = (value: unknown): Decimal | null => {
    const parsed = parseDecimal(text(value) ?? "");
    return parsed.ok ? parsed.value : null;
  };
  const object = (value: unknown) =>
    typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  const market = text(request["market"]);
  const side = text(request["side"]);
  const intentId = text(request["intentId"]);
  const symbol = text(request["symbol"]);
  const qty = decimal(request["qty"]);
  if ((market !== "FUT" && market !== "SPOT") || (side !== "BUY" && side !== "SELL")) return null;
  if (intentId === null || symbol === null || qty === null) return null;
  const kind = (text(request["kind"]) ?? "ENTRY") as IntentKind;
  const sl = object(request["sl"]);
  const tp = object(request["tp"]);
  const policy = object(request["execPolicy"]);
  const tpValue = decimal(tp?.["value"]);
  const tpTarget = text(tp?.["target"]) as TakeProfitTarget | null;
  const ocoTp = decimal(policy?.["tpPrice"]);
  const ocoSl = decimal(policy?.["slPrice"]);
  return {
    intentId,
    kind,
    market,
    symbol,
    side,
    qty,
    stopLoss: decimal(sl?.["price"]),
    takeProfit: tpTarget !== null && tpValue !== null ? { target: tpTarget, value: tpValue } : null,
    oco:
      policy?.["type"] === "OCO" && ocoTp !== null && ocoSl !== null
        ? { takeProfit: ocoTp, stopLoss: ocoSl }
        : null,
  };
}

/** Futures ENTRY with sl/tp, or a spot OCO. */
export function wantsProtection(request: ProtectionRequest): boolean {
  if (request.kind !== "ENTRY") return false;
  if (request.market === "FUT") return request.stopLoss !== null || request.takeProfit !== null;
  return request.oco !== null;
}

export function exitSideOf(side: Side): Side {
  return side === "BUY" ? "SELL" : "BUY";
}

export interface EntryFilled {
  readonly qty: Decimal;
  readonly avgPrice: Decimal | null;
  /** Fees valued in USDT; a fill whose fee cannot be valued counts at `fallbackFeeRate`. */
  readonly feeUsdt: Decimal;
  readonly commissions: readonly CommissionPaid[];
}

const protectiveRoles = new Set(["TP", "SL"]);

/** What the entry filled: every fill not on a protective order (as the result counts them). */
export function entryFilled(state: IntentState, fallbackFeeRate: Decimal): EntryFilled {
  const protective = new Set(
    state.orders.filter((order) => protectiveRoles.has(order.role)).map((order) => order.orderId),
  );
  let qty = zero;
  let quote = zero;
  let feeUsdt = zero;
  const commissions: CommissionPaid[] = [];
  for (const fill of state.fills) {
    if (protective.has(fill.orderId)) continue;
    qty = add(qty, fill.qty);
    quote = add(quote, mul(fill.price, fill.qty));
    feeUsdt = add(feeUsdt, fill.feeUsdt ?? mul(mul(fill.price, fill.qty), fallbackFeeRate));
    commissions.push({ amount: fill.fee, asset: fill.feeAsset });
  }
  const avgPrice = isPositive(qty) ? div(quote, qty, 12, "half_up") : null;
  return { qty, avgPrice, feeUsdt, commissions };
}
