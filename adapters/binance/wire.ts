// Reading venue JSON safely: typed field access, quoted numbers straight to exact decimals
// (never through a float), and one error type for payloads that break the documented shape.

import { type Decimal, parseDecimal } from "../../domain/decimal/index.ts";

/** A venue payload that does not have the documented shape. */
export class WireError extends Error {
  override readonly name = "WireError";
}

export type WireObject = Readonly<Record<string, unknown>>;

export function asObject(value: unknown, what: string): WireObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new WireError(`${what}: expected an object`);
  }
  return value as WireObject;
}

export function asArray(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new WireError(`${what}: expected an array`);
  return value;
}

export function text(object: WireObject, key: string): string {
  const value = object[key];
  if (typeof value !== "string") throw new WireError(`field ${key}: expected a string`);
  return value;
}

export function optionalText(object: WireObject, key: string): string | null {
  const value = object[key];
  return typeof value === "string" ? value : null;
}

export function integer(object: WireObject, key: string): number {
  const value = object[key];
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  throw new WireError(`field ${key}: expected an integer`);
}

export function optionalInteger(object: WireObject, key: string): number | null {
  const value = object[key];
  if (value === undefined || value === null || value === "") return null;
  return integer(object, key);
}

/** Ids are numbers on the wire; they travel as strings inside the router. */
export function id(object: WireObject, key: string): string {
  const value = object[key];
  if (typeof value === "number" && Number.isInteger(value)) return String(value);
  if (typeof value === "string" && value !== "") return value;
  throw new WireError(`field ${key}: expected an id`);
}

export function flag(object: WireObject, key: string, fallback = false): boolean {
  const value = object[key];
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return fallback;
}

/** A quoted decimal ("0.00100000") or a JSON integer; a JSON fraction is refused (float). */
export function decimalValue(value: unknown, what: string): Decimal {
  if (typeof value === "number" && Number.isSafeInteger(value)) {
    return { units: BigInt(value), scale: 0 };
  }
  if (typeof value !== "string") throw new WireError(`${what}: expected a quoted decimal`);
  const parsed = parseDecimal(value);
  if (!parsed.ok) throw new WireError(`${what}: "${value}" is not a decimal (${parsed.error})`);
  return parsed.value;
}

export function decimalField(object: WireObject, key: string): Decimal {
  return decimalValue(object[key], `field ${key}`);
}

export function optionalDecimal(object: WireObject, key: string): Decimal | null {
  const value = object[key];
  if (value === undefined || value === null || value === "") return null;
  return decimalValue(value, `field ${key}`);
}

/** Binance writes "0" or "0.00000000" for an absent price: that is null, not a price of zero. */
export function positiveOrNull(value: Decimal | null): Decimal | null {
  return value === null || value.units <= 0n ? null : value;
}
