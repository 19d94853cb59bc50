// Which execution policy runs for an intent, and why: the request's exec_policy when it names one,
// otherwise the route table and the order's notional. The reason is a stable machine-readable code.

import { type Decimal, div, gt, isPositive, toNumber } from "../decimal/index.ts";
import type { Market } from "../instrument/index.ts";
import type { PolicyType } from "../order/index.ts";
import { makerWaitMs, type RouteRow } from "./route-table.ts";

/** The same vocabulary as the intent's exec_policy.type. */
export type ExecPolicyType = PolicyType;
export const execPolicyTypes: readonly ExecPolicyType[] = [
  "MARKET",
  "LIMIT",
  "MAKER_THEN_TAKER",
  "TWAP",
  "OCO",
];

/** The parts of exec_policy that decide the policy; absent fields are undefined. */
export interface PolicyRequest {
  readonly type?: ExecPolicyType | undefined;
  /** The `order_type` alias; only MARKET and LIMIT. */
  readonly orderType?: "MARKET" | "LIMIT" | undefined;
  readonly makerWaitMs?: number | undefined;
  /** True when a `twap` object was sent; its `slices` is optional. */
  readonly twap?: boolean | undefined;
  readonly twapSlices?: number | undefined;
  readonly limitPrice?: boolean | undefined;
  /** Both `tp_price` and `sl_price` were sent. */
  readonly ocoPrices?: boolean | undefined;
}

export type PolicyReason =
  | "requested" // exec_policy.type named it
  | "order_type_alias" // order_type named it
  | "twap_requested" // a twap object without a type
  | "maker_wait_requested" // maker_wait_ms without a type
  | "limit_price_given" // a price without a type
  | "oco_prices_given" // spot tp_price and sl_price without a type
  | "notional_above_twap_threshold"
  | "route_default";

export type MakerWaitReason = "requested" | "route_curve";
export type SliceCountReason = "requested" | "notional_per_slice";

export type ResolvedPolicy =
  | { readonly type: "MARKET" | "LIMIT" | "OCO"; readonly reason: PolicyReason }
  | {
      readonly type: "MAKER_THEN_TAKER";
      readonly reason: PolicyReason;
      readonly makerWaitMs: number;
      readonly makerWaitReason: MakerWaitReason;
    }
  | {
      readonly type: "TWAP";
      readonly reason: PolicyReason;
      readonly sliceCount: number;
      readonly sliceCountReason: SliceCountReason;
      /** True when the requested or derived count was cut to the maximum. */
      readonly sliceCountCapped: boolean;
      /** Each slice runs maker→taker when a maker wait was asked for, else as a market order. */
      readonly slicePolicy: "MARKET" | "MAKER_THEN_TAKER";
      readonly makerWaitMs: number | null;
    };

export type PolicyError = "POLICY_CONFLICT" | "OCO_SPOT_ONLY" | "LIMIT_PRICE_REQUIRED";

export type PolicyResolution =
  | { readonly ok: true; readonly policy: ResolvedPolicy }
  | { readonly ok: false; readonly code: PolicyError; readonly message: string };

export interface PolicyInput {
  readonly market: Market;
  /** qty × reference price, in quote currency. */
  readonly notional: Decimal;
  readonly request: PolicyRequest;
  readonly row: RouteRow;
  /** S4_MAKER_MAX_WAIT_MS. */
  readonly makerWaitCapMs: number;
  /** S4_TWAP_MAX_SLICES. */
  readonly twapSlicesMax: number;
}

export function resolvePolicy(input: PolicyInput): PolicyResolution {
  const named = namedPolicy(input.request);
  if (!named.ok) return named;
  const { type, reason } = named;
  if (type === "OCO" && input.market !== "SPOT") {
    return fail("OCO_SPOT_ONLY", "OCO is a spot policy; futures protect with sl and tp");
  }
  if (type === "LIMIT" && input.request.limitPrice !== true) {
    return fail("LIMIT_PRICE_REQUIRED", "a LIMIT policy needs a price");
  }
  if (type === "MAKER_THEN_TAKER") return ok(makerThenTaker(input, reason));
  if (type === "TWAP") return ok(twap(input, reason));
  if (type !== null) return ok({ type, reason });
  const threshold = input.row.twapAboveNotional;
  if (threshold !== null && gt(input.notional, threshold)) {
    return ok(twap(input, "notional_above_twap_threshold"));
  }
  return ok(makerThenTaker(input, "route_default"));
}

type Named =
  | { readonly ok: true; readonly type: ExecPolicyType | null; readonly reason: PolicyReason }
  | { readonly ok: false; readonly code: PolicyError; readonly message: string };

/** The policy the request names, explicitly or by the fields it carries; null: none. */
function namedPolicy(request: PolicyRequest): Named {
  const { type, orderType } = request;
  if (type !== undefined && orderType !== undefined && type !== orderType) {
    return fail("POLICY_CONFLICT", `type ${type} and order_type ${orderType} disagree`);
  }
  if (type !== undefined) return { ok: true, type, reason: "requested" };
  if (orderType !== undefined) return { ok: true, type: orderType, reason: "order_type_alias" };
  if (request.twap === true) return { ok: true, type: "TWAP", reason: "twap_requested" };
  if (request.makerWaitMs !== undefined) {
    return { ok: true, type: "MAKER_THEN_TAKER", reason: "maker_wait_requested" };
  }
  if (request.limitPrice === true) return { ok: true, type: "LIMIT", reason: "limit_price_given" };
  if (request.ocoPrices === true) return { ok: true, type: "OCO", reason: "oco_prices_given" };
  return { ok: true, type: null, reason: "route_default" };
}

function makerThenTaker(input: PolicyInput, reason: PolicyReason): ResolvedPolicy {
  const wait = resolveMakerWait(input);
  return {
    type: "MAKER_THEN_TAKER",
    reason,
    makerWaitMs: wait.waitMs,
    makerWaitReason: wait.reason,
  };
}

function resolveMakerWait(input: PolicyInput): { waitMs: number; reason: MakerWaitReason } {
  const requested = input.request.makerWaitMs;
  if (requested !== undefined) {
    return { waitMs: Math.max(0, Math.min(requested, input.makerWaitCapMs)), reason: "requested" };
  }
  return {
    waitMs: makerWaitMs(input.row, input.notional, input.makerWaitCapMs),
    reason: "route_curve",
  };
}

function twap(input: PolicyInput, reason: PolicyReason): ResolvedPolicy {
  const count = twapSliceCount({
    notional: input.notional,
    sliceNotional: input.row.twapSliceNotional,
    requestedSlices: input.request.twapSlices,
    slicesMax: input.twapSlicesMax,
  });
  const makerSlices = input.request.makerWaitMs !== undefined;
  return {
    type: "TWAP",
    reason,
    sliceCount: count.sliceCount,
    sliceCountReason: count.reason,
    sliceCountCapped: count.capped,
    slicePolicy: makerSlices ? "MAKER_THEN_TAKER" : "MARKET",
    makerWaitMs: makerSlices ? resolveMakerWait(input).waitMs : null,
  };
}

export interface SliceCountInput {
  readonly notional: Decimal;
  readonly sliceNotional: Decimal;
  readonly requestedSlices?: number | undefined;
  readonly slicesMax: number;
}

export interface SliceCount {
  readonly sliceCount: number;
  readonly reason: SliceCountReason;
  readonly capped: boolean;
}

/** n = the request's slices, or ⌈N / s⌉; at least 1, at most slicesMax. */
export function twapSliceCount(input: SliceCountInput): SliceCount {
  if (!Number.isInteger(input.slicesMax) || input.slicesMax < 1) {
    throw new Error("Condition failed: slicesMax must be a positive integer");
  }
  if (!isPositive(input.sliceNotional)) {
    throw new Error("Condition failed: slice notional must be positive");
  }
  const requested = input.requestedSlices;
  const reason: SliceCountReason = requested !== undefined ? "requested" : "notional_per_slice";
  // ⌈N / s⌉ exactly; a count beyond the cap only needs to be known to exceed it.
  const derived = requested ?? toNumber(div(input.notional, input.sliceNotional, 0, "ceil"));
  const wanted = Math.max(1, Math.floor(derived));
  return {
    sliceCount: Math.min(wanted, input.slicesMax),
    reason,
    capped: wanted > input.slicesMax,
  };
}

function ok(policy: ResolvedPolicy): PolicyResolution {
  return { ok: true, policy };
}

function fail(
  code: PolicyError,
  message: string,
): { ok: false; code: PolicyError; message: string } {
  return { ok: false, code, message };
}
