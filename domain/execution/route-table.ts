// The route table (DESIGN §4): per market and symbol, how the router executes when the intent does
// not say. validateRouteTable turns untrusted JSON into a table or a list of problems, each naming
// the path and the rule; nothing is defaulted or fixed silently.

import {
  type Decimal,
  div,
  formatDecimal,
  isPositive,
  lte,
  mul,
  parseDecimal,
  sub,
  sign,
  toNumber,
} from "../decimal/index.ts";
import type { Market } from "../instrument/index.ts";

/** "*" matches any market or symbol; the table must hold a row with both set to "*". */
export const routeWildcard = "*";
export type RouteMarket = Market | typeof routeWildcard;

/** What the taker half of maker→taker sends: a market order, or a limit one tick through. */
export type MakerFallback = "MARKET" | "LIMIT_THROUGH_TOUCH";
export const makerFallbacks: readonly MakerFallback[] = ["MARKET", "LIMIT_THROUGH_TOUCH"];

export interface MakerWaitPoint {
  readonly notional: Decimal;
  readonly waitMs: number;
}

export interface RouteRow {
  readonly market: RouteMarket;
  readonly symbol: string;
  /** wait_ms = f(notional): points sorted by strictly increasing notional, clamped at the ends. */
  readonly makerWaitCurve: readonly MakerWaitPoint[];
  /** θ: below this maker fill ratio the remainder goes taker. In [0, 1]. */
  readonly makerFillRatioMin: Decimal;
  /** s: the notional of one TWAP slice when the count is derived (n = ⌈N / s⌉). */
  readonly twapSliceNotional: Decimal;
  /** Above this notional the default policy is TWAP; null: never by default. */
  readonly twapAboveNotional: Decimal | null;
  readonly spreadLimitBps: number;
  /** slip_bp_max: the estimated slippage above which a send goes limit or finer. */
  readonly slippageLimitBps: number;
  readonly makerFallback: MakerFallback;
  /** How long a send waits out a wide spread, and how many times before it splits instead. */
  readonly spreadDelayMs: number;
  readonly spreadRetryMax: number;
}

export interface RouteTable {
  readonly rev: string;
  readonly rows: readonly RouteRow[];
}

export const routeRowsMax = 512;
export const makerWaitPointsMax = 32;
export const makerWaitMsMax = 60_000;
export const spreadDelayMsMax = 60_000;
export const spreadRetryCountMax = 10;
export const routeLimitBpsMax = 10_000;
export const routeRevLengthMax = 64;
/** Validation stops collecting after this many problems; the list says so in its last entry. */
export const routeTableProblemsMax = 50;

export type RouteTableRule =
  | "type"
  | "required"
  | "unknown_field"
  | "decimal"
  | "range"
  | "integer"
  | "increasing"
  | "enum"
  | "pattern"
  | "duplicate"
  | "fallback_missing"
  | "too_many";

export interface RouteTableProblem {
  /** JSON path of the offending value, e.g. "$.routes[2].maker_wait_curve[1].notional". */
  readonly path: string;
  readonly rule: RouteTableRule;
  readonly message: string;
}

export type RouteTableValidation =
  | { readonly ok: true; readonly table: RouteTable }
  | { readonly ok: false; readonly problems: readonly RouteTableProblem[] };

const symbolPattern = /^[^\s*]{1,32}$/u;
const rowFields = [
  "market",
  "symbol",
  "maker_wait_curve",
  "maker_fill_ratio_min",
  "twap_slice_notional",
  "twap_above_notional",
  "spread_bps_max",
  "slip_bp_max",
  "maker_fallback",
  "spread_delay_ms",
  "spread_retry_max",
] as const;
const pointFields = ["notional", "wait_ms"] as const;

class Problems {
  readonly list: RouteTableProblem[] = [];

  add(path: string, rule: RouteTableRule, message: string): void {
    if (this.list.length < routeTableProblemsMax) this.list.push({ path, rule, message });
  }
}

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads the route-table JSON (already parsed) into a table, or every problem found. */
export function validateRouteTable(json: unknown): RouteTableValidation {
  const problems = new Problems();
  if (!isObject(json)) {
    problems.add("$", "type", "the route table must be an object");
    return { ok: false, problems: problems.list };
  }
  checkUnknownFields(json, ["rev", "routes"], "$", problems);
  const rev = readRev(json["rev"], problems);
  const rows = readRows(json["routes"], problems);
  if (problems.list.length > 0 || rev === null || rows === null) {
    return { ok: false, problems: problems.list };
  }
  return { ok: true, table: { rev, rows } };
}

function readRev(value: unknown, problems: Problems): string | null {
  if (value === undefined) {
    problems.add("$.rev", "required", "rev is required");
    return null;
  }
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value !== "string" || value.length === 0 || value.length > routeRevLengthMax) {
    problems.add(
      "$.rev",
      "type",
      `rev must be a non-negative integer or a string of 1 to ${routeRevLengthMax} characters`,
    );
    return null;
  }
  return value;
}

function readRows(value: unknown, problems: Problems): RouteRow[] | null {
  if (!Array.isArray(value)) {
    problems.add("$.routes", value === undefined ? "required" : "type", "routes must be an array");
    return null;
  }
  if (value.length > routeRowsMax) {
    problems.add("$.routes", "too_many", `routes holds at most ${routeRowsMax} rows`);
    return null;
  }
  const rows: RouteRow[] = [];
  const seen = new Set<string>();
  let fallbackSeen = false;
  value.forEach((item: unknown, index) => {
    const path = `$.routes[${index}]`;
    // A fallback row with problems of its own is reported for those, not as missing.
    if (isObject(item) && item["market"] === routeWildcard && item["symbol"] === routeWildcard) {
      fallbackSeen = true;
    }
    const row = readRow(item, path, problems);
    if (row === null) return;
    const key = `${row.market}:${row.symbol}`;
    if (seen.has(key)) {
      problems.add(path, "duplicate", `a second row for market ${row.market} symbol ${row.symbol}`);
    }
    seen.add(key);
    rows.push(row);
  });
  if (!fallbackSeen) {
    problems.add(
      "$.routes",
      "fallback_missing",
      'the table needs a fallback row with market "*" and symbol "*"',
    );
  }
  return rows;
}

function readRow(value: unknown, path: string, problems: Problems): RouteRow | null {
  if (!isObject(value)) {
    problems.add(path, "type", "a route row must be an object");
    return null;
  }
  const before = problems.list.length;
  checkUnknownFields(value, rowFields, path, problems);
  const market = readEnum(value["market"], `${path}.market`, ["SPOT", "FUT", "*"], problems);
  const symbol = readSymbol(value["symbol"], `${path}.symbol`, problems);
  const curve = readCurve(value["maker_wait_curve"], `${path}.maker_wait_curve`, problems);
  const ratio = readDecimal(
    value["maker_fill_ratio_min"],
    `${path}.maker_fill_ratio_min`,
    problems,
  );
  if (ratio !== null && (sign(ratio) < 0 || !lte(ratio, { units: 1n, scale: 0 }))) {
    problems.add(`${path}.maker_fill_ratio_min`, "range", "maker_fill_ratio_min must be in [0, 1]");
  }
  const sliceNotional = readPositiveDecimal(value, "twap_slice_notional", path, problems);
  const aboveNotional =
    value["twap_above_notional"] === null
      ? null
      : readPositiveDecimal(value, "twap_above_notional", path, problems);
  const row = {
    market,
    symbol,
    makerWaitCurve: curve,
    makerFillRatioMin: ratio,
    twapSliceNotional: sliceNotional,
    twapAboveNotional: aboveNotional,
    spreadLimitBps: readBps(value, "spread_bps_max", path, problems),
    slippageLimitBps: readBps(value, "slip_bp_max", path, problems),
    makerFallback: readEnum(
      value["maker_fallback"],
      `${path}.maker_fallback`,
      makerFallbacks,
      problems,
    ),
    spreadDelayMs: readInteger(
      value["spread_delay_ms"],
      `${path}.spread_delay_ms`,
      0,
      spreadDelayMsMax,
      problems,
    ),
    spreadRetryMax: readInteger(
      value["spread_retry_max"],
      `${path}.spread_retry_max`,
      0,
      spreadRetryCountMax,
      problems,
    ),
  };
  if (problems.list.length > before) return null;
  return row as RouteRow;
}

function checkUnknownFields(
  value: JsonObject,
  known: readonly string[],
  path: string,
  problems: Problems,
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      problems.add(`${path}.${key}`, "unknown_field", `unknown field ${key}`);
  }
}

function readEnum<T extends string>(
  value: unknown,
  path: string,
  allowed: readonly T[],
  problems: Problems,
): T | null {
  if (value === undefined) {
    problems.add(path, "required", `required, one of ${allowed.join(", ")}`);
    return null;
  }
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    problems.add(path, "enum", `must be one of ${allowed.join(", ")}`);
    return null;
  }
  return value as T;
}

function readSymbol(value: unknown, path: string, problems: Problems): string | null {
  if (value === undefined) {
    problems.add(path, "required", 'symbol is required ("*" for any)');
    return null;
  }
  if (typeof value !== "string" || (value !== routeWildcard && !symbolPattern.test(value))) {
    problems.add(path, "pattern", 'symbol must be an exchange symbol or "*"');
    return null;
  }
  return value;
}

function readCurve(value: unknown, path: string, problems: Problems): MakerWaitPoint[] | null {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(path, value === undefined ? "required" : "type", "a non-empty array of points");
    return null;
  }
  if (value.length > makerWaitPointsMax) {
    problems.add(path, "too_many", `at most ${makerWaitPointsMax} points`);
    return null;
  }
  const points: MakerWaitPoint[] = [];
  value.forEach((item: unknown, index) => {
    const pointPath = `${path}[${index}]`;
    if (!isObject(item)) {
      problems.add(pointPath, "type", "a point is an object {notional, wait_ms}");
      return;
    }
    checkUnknownFields(item, pointFields, pointPath, problems);
    const notional = readDecimal(item["notional"], `${pointPath}.notional`, problems);
    if (notional !== null && sign(notional) < 0) {
      problems.add(`${pointPath}.notional`, "range", "notional must be >= 0");
    }
    const waitMs = readInteger(
      item["wait_ms"],
      `${pointPath}.wait_ms`,
      0,
      makerWaitMsMax,
      problems,
    );
    if (notional === null || waitMs === null) return;
    const previous = points[points.length - 1];
    if (previous !== undefined && lte(notional, previous.notional)) {
      problems.add(`${pointPath}.notional`, "increasing", "notional must increase strictly");
    }
    points.push({ notional, waitMs });
  });
  return points.length === value.length ? points : null;
}

/** A decimal given as a plain decimal string or a JSON number without an exponent. */
function readDecimal(value: unknown, path: string, problems: Problems): Decimal | null {
  if (value === undefined) {
    problems.add(path, "required", "a decimal is required");
    return null;
  }
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== "string") {
    problems.add(path, "decimal", "must be a decimal string or number");
    return null;
  }
  const parsed = parseDecimal(text);
  if (!parsed.ok) {
    problems.add(path, "decimal", `"${text}" is not a plain decimal (${parsed.error})`);
    return null;
  }
  return parsed.value;
}

function readPositiveDecimal(
  row: JsonObject,
  field: string,
  path: string,
  problems: Problems,
): Decimal | null {
  const value = readDecimal(row[field], `${path}.${field}`, problems);
  if (value !== null && !isPositive(value)) {
    problems.add(`${path}.${field}`, "range", `${field} must be > 0`);
    return null;
  }
  return value;
}

function readBps(row: JsonObject, field: string, path: string, problems: Problems): number | null {
  const value = row[field];
  const fieldPath = `${path}.${field}`;
  if (value === undefined) {
    problems.add(fieldPath, "required", `${field} is required`);
    return null;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    problems.add(fieldPath, "type", `${field} must be a number of basis points`);
    return null;
  }
  if (value <= 0 || value > routeLimitBpsMax) {
    problems.add(fieldPath, "range", `${field} must be in (0, ${routeLimitBpsMax}]`);
    return null;
  }
  return value;
}

function readInteger(
  value: unknown,
  path: string,
  minimum: number,
  maximum: number,
  problems: Problems,
): number | null {
  if (value === undefined) {
    problems.add(path, "required", "an integer is required");
    return null;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    problems.add(path, "integer", "must be an integer");
    return null;
  }
  if (value < minimum || value > maximum) {
    problems.add(path, "range", `must be in [${minimum}, ${maximum}]`);
    return null;
  }
  return value;
}

/** The row for a market and symbol: exact, then the market's "*", then the global fallback. */
export function routeFor(table: RouteTable, market: Market, symbol: string): RouteRow {
  const candidates: readonly [RouteMarket, string][] = [
    [market, symbol],
    [market, routeWildcard],
    [routeWildcard, symbol],
    [routeWildcard, routeWildcard],
  ];
  for (const [wantMarket, wantSymbol] of candidates) {
    const row = table.rows.find((item) => item.market === wantMarket && item.symbol === wantSymbol);
    if (row !== undefined) return row;
  }
  throw new Error("Condition failed: a validated route table has a fallback row");
}

/** wait_ms = f(notional): linear interpolation, clamped at the ends, rounded to the ms, capped. */
export function makerWaitMs(row: RouteRow, notional: Decimal, capMs: number): number {
  if (!Number.isInteger(capMs) || capMs < 0) throw new Error("Condition failed: cap must be >= 0");
  return Math.min(interpolateWaitMs(row.makerWaitCurve, notional), capMs);
}

function interpolateWaitMs(curve: readonly MakerWaitPoint[], notional: Decimal): number {
  const first = curve[0];
  if (first === undefined) throw new Error("Condition failed: the wait curve has points");
  if (lte(notional, first.notional)) return first.waitMs;
  for (let index = 1; index < curve.length; index += 1) {
    const left = curve[index - 1]!;
    const right = curve[index]!;
    if (lte(notional, right.notional)) {
      // w = w0 + (w1 − w0) · (n − n0) / (n1 − n0), exact until the final rounding to the ms.
      const span = sub(right.notional, left.notional);
      const rise = { units: BigInt(right.waitMs - left.waitMs), scale: 0 };
      const offset = div(mul(rise, sub(notional, left.notional)), span, 0, "half_up");
      return left.waitMs + toNumber(offset);
    }
  }
  return curve[curve.length - 1]!.waitMs;
}

/** The JSON form of a table; validateRouteTable(routeTableToJson(t)) gives t back. */
export function routeTableToJson(table: RouteTable): unknown {
  return {
    rev: table.rev,
    routes: table.rows.map((row) => ({
      market: row.market,
      symbol: row.symbol,
      maker_wait_curve: row.makerWaitCurve.map((point) => ({
        notional: formatDecimal(point.notional),
        wait_ms: point.waitMs,
      })),
      maker_fill_ratio_min: formatDecimal(row.makerFillRatioMin),
      twap_slice_notional: formatDecimal(row.twapSliceNotional),
      twap_above_notional:
        row.twapAboveNotional === null ? null : formatDecimal(row.twapAboveNotional),
      spread_bps_max: row.spreadLimitBps,
      slip_bp_max: row.slippageLimitBps,
      maker_fallback: row.makerFallback,
      spread_delay_ms: row.spreadDelayMs,
      spread_retry_max: row.spreadRetryMax,
    })),
  };
}
