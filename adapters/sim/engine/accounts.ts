// Balances and positions: spot free/locked per asset, futures one-way positions per symbol with
// entry price and realised PnL. Fees are rounded to 8 decimals, half up, as the venue shows them.

import {
  abs,
  add,
  type Decimal,
  div,
  isZero,
  mul,
  neg,
  normalize,
  roundToScale,
  sign,
  sub,
  zero,
} from "../../../domain/decimal/index.ts";
import type { Side } from "../../../domain/order/index.ts";

export interface BalanceRecord {
  readonly asset: string;
  free: Decimal;
  locked: Decimal;
}

export interface PositionRecord {
  readonly symbol: string;
  /** Signed: negative is short. */
  qty: Decimal;
  entryPrice: Decimal;
  realizedPnl: Decimal;
}

export interface SymbolConfigRecord {
  readonly symbol: string;
  leverage: number;
  marginType: "ISOLATED" | "CROSSED";
}

export const feeScale = 8;
export const entryPriceScale = 8;

export const spotFeeRate: Decimal = { units: 1n, scale: 3 };
export const futuresMakerRate: Decimal = { units: 2n, scale: 4 };
export const futuresTakerRate: Decimal = { units: 5n, scale: 4 };

export function feeOf(amount: Decimal, rate: Decimal): Decimal {
  return normalize(roundToScale(mul(amount, rate), feeScale, "half_up"));
}

export function balanceOf(balances: Map<string, BalanceRecord>, asset: string): BalanceRecord {
  let balance = balances.get(asset);
  if (balance === undefined) {
    balance = { asset, free: zero, locked: zero };
    balances.set(asset, balance);
  }
  return balance;
}

/** Moves `amount` from free to locked. */
export function lock(balance: BalanceRecord, amount: Decimal): void {
  balance.free = normalize(sub(balance.free, amount));
  balance.locked = normalize(add(balance.locked, amount));
}

/** Moves `amount` from locked back to free. */
export function unlock(balance: BalanceRecord, amount: Decimal): void {
  balance.locked = normalize(sub(balance.locked, amount));
  balance.free = normalize(add(balance.free, amount));
}

/** Spends `fromLock` out of locked and the rest of `total` out of free (a negative rest refunds). */
export function spend(balance: BalanceRecord, total: Decimal, fromLock: Decimal): void {
  balance.locked = normalize(sub(balance.locked, fromLock));
  balance.free = normalize(sub(balance.free, sub(total, fromLock)));
}

export function credit(balance: BalanceRecord, amount: Decimal): void {
  balance.free = normalize(add(balance.free, amount));
}

/** Applies a futures fill to a one-way position; answers the realised PnL (before fees). */
export function applyPositionFill(
  position: PositionRecord,
  side: Side,
  qty: Decimal,
  price: Decimal,
): Decimal {
  const signed = side === "BUY" ? qty : neg(qty);
  const current = position.qty;
  const next = normalize(add(current, signed));
  if (isZero(current) || sign(current) === sign(signed)) {
    const notional = add(mul(abs(current), position.entryPrice), mul(qty, price));
    position.entryPrice = normalize(div(notional, abs(next), entryPriceScale, "half_up"));
    position.qty = next;
    return zero;
  }
  const closing = abs(current).units <= 0n ? zero : minAbs(qty, abs(current));
  const perUnit =
    sign(current) > 0 ? sub(price, position.entryPrice) : sub(position.entryPrice, price);
  const realized = normalize(mul(perUnit, closing));
  position.realizedPnl = normalize(add(position.realizedPnl, realized));
  position.qty = next;
  if (isZero(next)) position.entryPrice = zero;
  else if (sign(next) !== sign(current)) position.entryPrice = price;
  return realized;
}

function minAbs(a: Decimal, b: Decimal): Decimal {
  return sub(a, b).units <= 0n ? a : b;
}

export function unrealizedPnl(position: PositionRecord, mark: Decimal): Decimal {
  if (isZero(position.qty)) return zero;
  return normalize(mul(sub(mark, position.entryPrice), position.qty));
}

export function positionMargin(position: PositionRecord, leverage: number): Decimal {
  const notional = mul(abs(position.qty), position.entryPrice);
  return normalize(div(notional, { units: BigInt(leverage), scale: 0 }, feeScale, "ceil"));
}
