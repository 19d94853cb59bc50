// Derived ids of every protective order (STYLE rule 10): legs, order lists, guardian legs and
// guardian exits all come from the intent id, so a replay or a restart asks the venue for the
// same ids and its duplicate checks dedupe them.

import { childClientOrderId, clientOrderIdBase, routerOrderId } from "../../domain/order/index.ts";

export interface DerivedId {
  /** The router's order id. */
  readonly orderId: string;
  /** The venue's client id (clientOrderId, clientAlgoId). */
  readonly clientOrderId: string;
}

export interface ProtectionIds {
  /** Venue stop-loss: futures STOP_MARKET algo order, spot OCO stop leg. */
  readonly stopLoss: DerivedId;
  /** Venue take-profit: futures TAKE_PROFIT_MARKET algo order, spot OCO limit-maker leg. */
  readonly takeProfit: DerivedId;
  /** The spot order list (listClientOrderId). */
  readonly list: string;
  /** A stop the guardian emulates (never on the venue until it fires). */
  readonly guardStop: DerivedId;
  /** The guardian's venue take-profit: a spot limit maker. */
  readonly guardTakeProfit: DerivedId;
  /** A take-profit trigger the guardian watches itself (never on the venue until it fires). */
  readonly guardTarget: DerivedId;
  /** The reduce-only market order for what a partly executed futures leg left behind. */
  readonly remainder: DerivedId;
  /** The n-th guardian exit order when it is not the triggered emulated leg itself. */
  guardExit(attempt: number): DerivedId;
}

const suffixes = {
  stopLoss: "sl",
  takeProfit: "tp",
  list: "oco",
  guardStop: "gsl",
  guardTakeProfit: "gtp",
  guardTarget: "gtg",
  remainder: "rm",
} as const;

function derived(intentId: string, base: string, suffix: string): DerivedId {
  return {
    orderId: routerOrderId(intentId, `protect-${suffix}`),
    clientOrderId: childClientOrderId(base, suffix),
  };
}

/** Derived ids remembered per intent (hashing is the costly part); oldest forgotten first. */
export const protectionIdsCachedMax = 20_000;
const cached = new Map<string, ProtectionIds>();

export function protectionIds(intentId: string): ProtectionIds {
  const known = cached.get(intentId);
  if (known !== undefined) return known;
  const ids = deriveIds(intentId);
  if (cached.size >= protectionIdsCachedMax) {
    const oldest = cached.keys().next();
    if (!oldest.done) cached.delete(oldest.value);
  }
  cached.set(intentId, ids);
  return ids;
}

function deriveIds(intentId: string): ProtectionIds {
  const base = clientOrderIdBase(intentId);
  return {
    stopLoss: derived(intentId, base, suffixes.stopLoss),
    takeProfit: derived(intentId, base, suffixes.takeProfit),
    list: childClientOrderId(base, suffixes.list),
    guardStop: derived(intentId, base, suffixes.guardStop),
    guardTakeProfit: derived(intentId, base, suffixes.guardTakeProfit),
    guardTarget: derived(intentId, base, suffixes.guardTarget),
    remainder: derived(intentId, base, suffixes.remainder),
    guardExit(attempt: number): DerivedId {
      if (!Number.isInteger(attempt) || attempt < 1 || attempt > 999) {
        throw new Error(`Condition failed: guard exit attempt ${attempt} out of range`);
      }
      return derived(intentId, base, `gx${attempt}`);
    },
  };
}

/** The client ids of the two legs of an order list this module placed, else null. */
export function listLegClientIds(listClientOrderId: string): readonly string[] | null {
  const tail = `/${suffixes.list}`;
  if (!listClientOrderId.endsWith(tail)) return null;
  const base = listClientOrderId.slice(0, -tail.length);
  return [`${base}/${suffixes.takeProfit}`, `${base}/${suffixes.stopLoss}`];
}
