// An order intent as the router understands it after validation, and its fingerprint: the
// digest two requests must share to be "the same intent" (DESIGN §3.1, §7).

import { type Decimal, formatDecimal } from "../decimal/index.ts";
import type { Market } from "../instrument/index.ts";
import { contentDigest } from "./ids.ts";
import type { Side, TimeInForce } from "./types.ts";

export type IntentKind = "ENTRY" | "EXIT" | "REDUCE" | "PROTECT";
export type PolicyType = "MARKET" | "LIMIT" | "MAKER_THEN_TAKER" | "TWAP" | "OCO";
export type TwapCurve = "uniform" | "sqrt";
export type TakeProfitTarget = "price" | "net_profit_usdt" | "roe";

export interface TwapRequest {
  readonly slices: number | null;
  readonly gapMs: number;
  readonly jitterMs: number;
  readonly curve: TwapCurve;
}

export interface ExecPolicyRequest {
  readonly type: PolicyType | null;
  readonly price: Decimal | null;
  readonly timeInForce: Exclude<TimeInForce, "GTX"> | null;
  readonly makerWaitMs: number | null;
  readonly twap: TwapRequest | null;
  readonly tpPrice: Decimal | null;
  readonly slPrice: Decimal | null;
}

export interface StopLossRequest {
  readonly type: "STOP_MARKET";
  readonly price: Decimal;
}

export interface TakeProfitRequest {
  readonly type: "TAKE_PROFIT_MARKET";
  readonly target: TakeProfitTarget;
  readonly value: Decimal;
}

export interface OrderIntent {
  readonly intentId: string;
  readonly uuid: string | null;
  readonly kind: IntentKind;
  readonly market: Market;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Decimal;
  readonly clientOrderId: string | null;
  readonly reduceOnly: boolean;
  readonly execPolicy: ExecPolicyRequest | null;
  readonly sl: StopLossRequest | null;
  readonly tp: TakeProfitRequest | null;
}

/** EXIT and REDUCE intents are reduce-only on futures whatever the flag says. */
export function isReduceOnly(intent: OrderIntent): boolean {
  return (
    intent.market === "FUT" &&
    (intent.reduceOnly || intent.kind === "EXIT" || intent.kind === "REDUCE")
  );
}

/** New exposure is what kill switches and open circuit breakers refuse. */
export function opensPosition(intent: OrderIntent): boolean {
  return intent.kind === "ENTRY" && !isReduceOnly(intent);
}

function canonical(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(canonical);
  const record = value as Record<string, unknown>;
  if (typeof record["units"] === "bigint" && typeof record["scale"] === "number") {
    return formatDecimal(value as Decimal);
  }
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = canonical(record[key]);
  return sorted;
}

/** A stable digest of everything that defines the intent except its echo-only uuid. */
export function intentFingerprint(intent: OrderIntent): string {
  const { uuid: _uuid, ...defining } = intent;
  return contentDigest(JSON.stringify(canonical(defining))).slice(0, 24);
}

/** The intent as plain JSON (decimals as canonical strings, keys sorted), for storage. */
export function intentToJson(intent: OrderIntent): Record<string, unknown> {
  return canonical(intent) as Record<string, unknown>;
}
