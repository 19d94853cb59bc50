// Which policy runs for an intent, and why (DESIGN §3.1, §4): the request's exec_policy when it
// names one, else the route table and the order's notional. With no route table configured the
// router keeps the plain choice: the named type, a LIMIT when a price is given, else MARKET.

import { type Decimal, mul } from "../../domain/decimal/index.ts";
import {
  type PolicyRequest,
  type PolicyResolution,
  type ResolvedPolicy,
  resolvePolicy,
  type RouteRow,
  type RouteTable,
  routeFor,
} from "../../domain/execution/index.ts";
import type { OrderIntent } from "../../domain/order/index.ts";
import type { BookSnapshot } from "../../ports/exchange-gateway.ts";
import { takingPrice } from "../shared/market.ts";
import { requestedPolicyType } from "./validate-intent.ts";

export interface PolicySettings {
  /** S4_MAKER_MAX_WAIT_MS. */
  readonly makerWaitCapMs: number;
  /** S4_TWAP_MAX_SLICES. */
  readonly twapSlicesMax: number;
}

export const defaultPolicySettings: PolicySettings = { makerWaitCapMs: 3_000, twapSlicesMax: 4 };

/** The exec_policy fields that decide the policy, in the domain's vocabulary. */
export function policyRequestOf(intent: OrderIntent): PolicyRequest {
  const policy = intent.execPolicy;
  if (policy === null) return {};
  return {
    type: policy.type ?? undefined,
    makerWaitMs: policy.makerWaitMs ?? undefined,
    twap: policy.twap !== null,
    twapSlices: policy.twap?.slices ?? undefined,
    limitPrice: policy.price !== null,
    ocoPrices: policy.tpPrice !== null && policy.slPrice !== null,
  };
}

/** qty × the limit price, or × the touch a market order would take; null without either. */
export function intentNotional(intent: OrderIntent, snapshot: BookSnapshot | null): Decimal | null {
  const price =
    intent.execPolicy?.price ?? (snapshot === null ? null : takingPrice(snapshot, intent.side));
  return price === null ? null : mul(intent.qty, price);
}

export interface Resolved {
  readonly policy: ResolvedPolicy;
  /** Why, as the result's exec.reason shows it. */
  readonly reason: string;
  readonly row: RouteRow | null;
  readonly rev: string | null;
}

export function resolveIntentPolicy(
  intent: OrderIntent,
  table: RouteTable | null,
  snapshot: BookSnapshot | null,
  settings: PolicySettings,
): { ok: true; resolved: Resolved } | Extract<PolicyResolution, { ok: false }> {
  if (table === null) {
    const type = requestedPolicyType(intent);
    const reason = intent.execPolicy?.type ? "requested" : "default";
    if (type === "MARKET" || type === "LIMIT" || type === "OCO") {
      const policy: ResolvedPolicy = { type, reason: "requested" };
      return { ok: true, resolved: { policy, reason, row: null, rev: null } };
    }
    return { ok: false, code: "POLICY_CONFLICT", message: `${type} needs a route table` };
  }
  const row = routeFor(table, intent.market, intent.symbol);
  const notional = intentNotional(intent, snapshot);
  if (notional === null) {
    return { ok: false, code: "POLICY_CONFLICT", message: "no market price to size the order" };
  }
  const resolution = resolvePolicy({
    market: intent.market,
    notional,
    request: policyRequestOf(intent),
    row,
    makerWaitCapMs: settings.makerWaitCapMs,
    twapSlicesMax: settings.twapSlicesMax,
  });
  if (!resolution.ok) return resolution;
  const policy = resolution.policy;
  return { ok: true, resolved: { policy, reason: policy.reason, row, rev: table.rev } };
}

/** True when the route table, not the request, chose the policy. */
export function routeChosen(policy: ResolvedPolicy): boolean {
  return policy.reason === "route_default" || policy.reason === "notional_above_twap_threshold";
}
