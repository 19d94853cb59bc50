// A live guardian: the domain state plus what running it needs (which venue leg is its take-
// profit, where its price comes from, which stored orders are its legs and exits), and its flat
// record for `guard:{stop}:<symbol>:<intent_id>` and the store's GUARD_* events.

import {
  type Decimal,
  formatDecimal,
  isPositive,
  parseDecimal,
} from "../../domain/decimal/index.ts";
import type { Market } from "../../domain/instrument/index.ts";
import type { OrderRole } from "../../domain/order/index.ts";
import {
  type GuardianRecord,
  type GuardianState,
  guardianFromRecord,
  guardianToRecord,
} from "../../domain/protection/index.ts";
import { type DerivedId, protectionIds } from "../protection/protection-ids.ts";

/** The venue order the guardian cancels before it exits (its "take-profit leg"). */
export type TakeProfitVenue =
  | { readonly kind: "NONE" }
  /** A spot limit-maker order. */
  | { readonly kind: "ORDER"; readonly orderId: string; readonly clientOrderId: string }
  /** A futures TAKE_PROFIT_MARKET algo order. */
  | { readonly kind: "CONDITIONAL"; readonly orderId: string; readonly clientOrderId: string }
  /** A spot OCO list watched by a backstop: its executed quantity is both legs' together. */
  | {
      readonly kind: "LIST";
      readonly listClientOrderId: string;
      readonly legOrderIds: readonly string[];
    };

/** PRIMARY: the guardian is the stop. BACKSTOP: it stands behind a venue stop-limit. */
export type GuardRole = "PRIMARY" | "BACKSTOP";
export type PriceSource = "MARK" | "MID";

export interface GuardMeta {
  readonly intentId: string;
  readonly market: Market;
  readonly symbol: string;
  readonly lotStep: Decimal;
  readonly role: GuardRole;
  readonly priceSource: PriceSource;
  /** The emulated stop leg (ids from protectionIds().guardStop) exists. */
  readonly stopLeg: boolean;
  /** The emulated take-profit leg (protectionIds().guardTarget) exists: a watched trigger. */
  readonly takeProfitLeg: boolean;
  readonly takeProfit: TakeProfitVenue;
  /** Parent of exit orders that are not an emulated leg. */
  readonly entryOrderId: string;
  readonly armedAtMs: number;
}

export interface Guard {
  readonly meta: GuardMeta;
  readonly state: GuardianState;
}

export interface ExitIdentity extends DerivedId {
  readonly role: OrderRole;
  /** The exit is the triggered emulated leg itself (first attempt). */
  readonly isLeg: boolean;
  readonly parentId: string;
}

/** Exit attempt 1 of a triggered emulated leg is that leg; every other attempt is its own order. */
export function exitIdentity(meta: GuardMeta, state: GuardianState, attempt: number): ExitIdentity {
  const ids = protectionIds(meta.intentId);
  const stop = state.exitReason !== "TAKE_PROFIT_PRICE";
  const role: OrderRole = stop ? "SL" : "TP";
  const hasLeg = stop ? meta.stopLeg : meta.takeProfitLeg;
  const leg = stop ? ids.guardStop : ids.guardTarget;
  if (attempt === 1 && hasLeg) return { ...leg, role, isLeg: true, parentId: meta.entryOrderId };
  const parentId = hasLeg ? leg.orderId : meta.entryOrderId;
  return { ...ids.guardExit(attempt), role, isLeg: false, parentId };
}

/** Every stored order the guardian owns outright (emulated legs, exits so far). */
export function guardOwnedOrderIds(meta: GuardMeta, state: GuardianState): string[] {
  const ids = protectionIds(meta.intentId);
  const owned: string[] = [];
  if (meta.stopLeg) owned.push(ids.guardStop.orderId);
  if (meta.takeProfitLeg) owned.push(ids.guardTarget.orderId);
  for (let attempt = 1; attempt <= state.exitAttempt; attempt += 1) {
    owned.push(exitIdentity(meta, state, attempt).orderId);
  }
  return [...new Set(owned)];
}

export function guardToRecord(guard: Guard): GuardianRecord {
  const { meta } = guard;
  const tp = meta.takeProfit;
  return {
    ...guardianToRecord(guard.state),
    intent_id: meta.intentId,
    market: meta.market,
    symbol: meta.symbol,
    lot_step: formatDecimal(meta.lotStep),
    role: meta.role,
    price_source: meta.priceSource,
    stop_leg: meta.stopLeg ? 1 : 0,
    take_profit_leg_emulated: meta.takeProfitLeg ? 1 : 0,
    tp_kind: tp.kind,
    tp_order_id: tp.kind === "ORDER" || tp.kind === "CONDITIONAL" ? tp.orderId : null,
    tp_client_id:
      tp.kind === "ORDER" || tp.kind === "CONDITIONAL"
        ? tp.clientOrderId
        : tp.kind === "LIST"
          ? tp.listClientOrderId
          : null,
    tp_leg_ids: tp.kind === "LIST" ? tp.legOrderIds.join(",") : null,
    entry_order_id: meta.entryOrderId,
    armed_at: meta.armedAtMs,
  };
}

export type GuardDecode =
  | { readonly ok: true; readonly guard: Guard }
  | { readonly ok: false; readonly message: string };

/** Reads a record written by guardToRecord; the decoded guardian is unleased (RESTORE leases). */
export function guardFromRecord(record: unknown): GuardDecode {
  const decoded = guardianFromRecord(record);
  if (!decoded.ok) return { ok: false, message: decoded.message };
  const fields = record as Readonly<Record<string, unknown>>;
  const text = (key: string): string | null => {
    const value = fields[key];
    return typeof value === "string" && value.length > 0 ? value : null;
  };
  const intentId = text("intent_id");
  const market = text("market");
  const symbol = text("symbol");
  const step = parseDecimal(text("lot_step") ?? "");
  const entryOrderId = text("entry_order_id");
  const armedAt = fields["armed_at"];
  if (
    intentId === null ||
    symbol === null ||
    entryOrderId === null ||
    (market !== "SPOT" && market !== "FUT") ||
    !step.ok ||
    !isPositive(step.value) ||
    typeof armedAt !== "number"
  ) {
    return { ok: false, message: "guard record lacks its intent, market, symbol or lot step" };
  }
  const takeProfit = readTakeProfit(text);
  if (takeProfit === null) return { ok: false, message: "guard record has a bad take-profit leg" };
  const meta: GuardMeta = {
    intentId,
    market,
    symbol,
    lotStep: step.value,
    role: text("role") === "BACKSTOP" ? "BACKSTOP" : "PRIMARY",
    priceSource: text("price_source") === "MARK" ? "MARK" : "MID",
    stopLeg: fields["stop_leg"] === 1,
    takeProfitLeg: fields["take_profit_leg_emulated"] === 1,
    takeProfit,
    entryOrderId,
    armedAtMs: armedAt,
  };
  return { ok: true, guard: { meta, state: decoded.state } };
}

function readTakeProfit(text: (key: string) => string | null): TakeProfitVenue | null {
  const kind = text("tp_kind");
  const orderId = text("tp_order_id");
  const clientId = text("tp_client_id");
  switch (kind) {
    case "NONE":
      return { kind: "NONE" };
    case "ORDER":
    case "CONDITIONAL":
      return orderId === null || clientId === null
        ? null
        : { kind, orderId, clientOrderId: clientId };
    case "LIST": {
      const legs = text("tp_leg_ids");
      return clientId === null || legs === null
        ? null
        : { kind, listClientOrderId: clientId, legOrderIds: legs.split(",") };
    }
    default:
      return null;
  }
}
