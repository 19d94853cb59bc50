// Request parameters as Binance reads them: query string and x-www-form-urlencoded body, mixed
// freely, the query winning when a name is in both; a name repeated within one of them is
// -1101. ParamReader reads typed values and keeps the first failure (Binance answers one error).

import { type Decimal, parseDecimal } from "../../../domain/decimal/index.ts";
import type { Market } from "../../../domain/instrument/index.ts";
import { type ApiFailure, decimalRange, errors, integerRange } from "./api-errors.ts";

/** Parameters accepted per request; more is refused as -1101. */
export const paramsPerRequestMax = 100;

export class RequestParams {
  private readonly values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.values = values;
  }

  /** The value, or null when absent or empty (Binance treats both as "not sent"). */
  get(name: string): string | null {
    const value = this.values.get(name);
    return value === undefined || value === "" ? null : value;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  names(): string[] {
    return [...this.values.keys()];
  }
}

export type ParamsParse =
  | { readonly ok: true; readonly params: RequestParams }
  | { readonly ok: false; readonly failure: ApiFailure };

function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

function parseSource(raw: string, into: Map<string, string>): ApiFailure | null {
  const seen = new Set<string>();
  for (const segment of raw.split("&")) {
    if (segment === "") continue;
    const at = segment.indexOf("=");
    const name = decodeComponent(at < 0 ? segment : segment.slice(0, at));
    const value = decodeComponent(at < 0 ? "" : segment.slice(at + 1));
    if (name === null || value === null) return errors.illegalChars();
    if (seen.has(name)) return errors.duplicateParams();
    seen.add(name);
    if (seen.size > paramsPerRequestMax) return errors.duplicateParams();
    if (!into.has(name)) into.set(name, value);
  }
  return null;
}

/** Parses the raw query string and body; the query is read first so its values win. */
export function parseParams(query: string, body: string): ParamsParse {
  const values = new Map<string, string>();
  const failed = parseSource(query, values) ?? parseSource(body, values);
  if (failed !== null) return { ok: false, failure: failed };
  return { ok: true, params: new RequestParams(values) };
}

const plainDecimal = /^\d{1,20}(\.\d{1,20})?$/;
const plainInteger = /^\d{1,20}$/;

/** Typed reads with Binance's errors; after the first failure every read answers null. */
export class ParamReader {
  readonly params: RequestParams;
  readonly market: Market;
  private failed: ApiFailure | null = null;

  constructor(params: RequestParams, market: Market) {
    this.params = params;
    this.market = market;
  }

  get failure(): ApiFailure | null {
    return this.failed;
  }

  fail(failure: ApiFailure): null {
    this.failed ??= failure;
    return null;
  }

  text(name: string): string | null {
    if (this.failed !== null) return null;
    return this.params.get(name);
  }

  required(name: string): string {
    const value = this.text(name);
    if (value === null) this.fail(errors.mandatory(name));
    return value ?? "";
  }

  /** An enum value; `invalid` answers the venue's error for a value outside `allowed`. */
  oneOf<T extends string>(
    name: string,
    allowed: readonly T[],
    invalid: () => ApiFailure,
    mandatory: boolean,
  ): T | null {
    const value = mandatory ? this.required(name) : this.text(name);
    if (this.failed !== null || value === null) return null;
    if (!(allowed as readonly string[]).includes(value)) return this.fail(invalid());
    return value as T;
  }

  /** A non-negative decimal with at most `decimalsMax` places (-1100 / -1111). */
  decimal(name: string, decimalsMax: number, mandatory = false): Decimal | null {
    const value = mandatory ? this.required(name) : this.text(name);
    if (this.failed !== null || value === null) return null;
    if (!plainDecimal.test(value)) return this.fail(errors.illegalParam(name, decimalRange));
    const parsed = parseDecimal(value);
    if (!parsed.ok) return this.fail(errors.illegalParam(name, decimalRange));
    if (parsed.value.scale > decimalsMax) return this.fail(errors.tooPrecise(this.market, name));
    return parsed.value;
  }

  /** A non-negative integer (-1100 when malformed). */
  integer(name: string, mandatory = false): number | null {
    const value = mandatory ? this.required(name) : this.text(name);
    if (this.failed !== null || value === null) return null;
    if (!plainInteger.test(value) || !Number.isSafeInteger(Number(value))) {
      return this.fail(errors.illegalParam(name, integerRange));
    }
    return Number(value);
  }

  /** "true" or "false" (-1130 otherwise); absent reads as `fallback`. */
  flag(name: string, fallback = false): boolean {
    const value = this.text(name);
    if (value === null) return fallback;
    const lower = value.toLowerCase();
    if (lower !== "true" && lower !== "false") {
      this.fail(errors.invalidParameter(name));
      return fallback;
    }
    return lower === "true";
  }

  /** One of two identifying params must be present (-1102 "Param 'a' or 'b' ..."). */
  eitherOf(first: string, second: string): void {
    if (this.failed !== null) return;
    if (!this.params.has(first) && !this.params.has(second)) {
      this.fail(errors.eitherOf(first, second));
    }
  }

  /** A parameter that must not come with this request (-1106). */
  forbid(name: string): void {
    if (this.failed === null && this.params.has(name)) this.fail(errors.notRequired(name));
  }
}
