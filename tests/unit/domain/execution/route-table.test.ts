// The route table: the shipped default validates, every malformed table is refused with the path
// and rule of each problem, lookups fall back in order, and the wait curve interpolates exactly.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { type Decimal, dec, formatDecimal } from "../../../../domain/decimal/index.ts";
import {
  makerWaitMs,
  type RouteRow,
  type RouteTable,
  routeFor,
  routeTableToJson,
  validateRouteTable,
} from "../../../../domain/execution/index.ts";

const defaultTablePath = new URL("../../../../config/route-table.json", import.meta.url);

function loadDefault(): RouteTable {
  const result = validateRouteTable(JSON.parse(readFileSync(defaultTablePath, "utf8")));
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.table;
}

function validRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    market: "*",
    symbol: "*",
    maker_wait_curve: [
      { notional: "0", wait_ms: 500 },
      { notional: "10000", wait_ms: 2500 },
    ],
    maker_fill_ratio_min: "0.5",
    twap_slice_notional: "5000",
    twap_above_notional: "20000",
    spread_bps_max: 10,
    slip_bp_max: 20,
    maker_fallback: "MARKET",
    spread_delay_ms: 5000,
    spread_retry_max: 2,
    ...overrides,
  };
}

function table(...rows: Record<string, unknown>[]): Record<string, unknown> {
  return { rev: "7", routes: rows };
}

describe("the default route table", () => {
  test("config/route-table.json validates", () => {
    const routes = loadDefault();
    expect(routes.rev.length).toBeGreaterThan(0);
    const keys = routes.rows.map((row) => `${row.market}:${row.symbol}`);
    for (const key of ["FUT:BTCUSDT", "SPOT:BTCUSDT", "FUT:ETHUSDT", "SPOT:ETHUSDT", "*:*"]) {
      expect(keys).toContain(key);
    }
  });

  test("its waits never exceed the default S4_MAKER_MAX_WAIT_MS", () => {
    for (const row of loadDefault().rows) {
      for (const point of row.makerWaitCurve) expect(point.waitMs).toBeLessThanOrEqual(3000);
    }
  });
});

describe("validateRouteTable refuses", () => {
  const cases: [string, unknown, string, string][] = [
    ["a non-object", [], "$", "type"],
    ["a missing rev", { routes: [validRow()] }, "$.rev", "required"],
    ["an empty rev", { rev: "", routes: [validRow()] }, "$.rev", "type"],
    ["missing routes", { rev: "1" }, "$.routes", "required"],
    [
      "no fallback row",
      table(validRow({ market: "FUT", symbol: "BTCUSDT" })),
      "$.routes",
      "fallback_missing",
    ],
    ["a duplicate row", table(validRow(), validRow()), "$.routes[1]", "duplicate"],
    [
      "an unknown field",
      table(validRow({ slip_bps_max: 3 })),
      "$.routes[0].slip_bps_max",
      "unknown_field",
    ],
    ["an unknown market", table(validRow({ market: "MARGIN" })), "$.routes[0].market", "enum"],
    ["a blank symbol", table(validRow({ symbol: "" })), "$.routes[0].symbol", "pattern"],
    [
      "an empty curve",
      table(validRow({ maker_wait_curve: [] })),
      "$.routes[0].maker_wait_curve",
      "type",
    ],
    [
      "a curve out of order",
      table(
        validRow({
          maker_wait_curve: [
            { notional: "10", wait_ms: 1 },
            { notional: "10", wait_ms: 2 },
          ],
        }),
      ),
      "$.routes[0].maker_wait_curve[1].notional",
      "increasing",
    ],
    [
      "a float-exponent notional",
      table(validRow({ maker_wait_curve: [{ notional: "1e3", wait_ms: 1 }] })),
      "$.routes[0].maker_wait_curve[0].notional",
      "decimal",
    ],
    [
      "a fractional wait",
      table(validRow({ maker_wait_curve: [{ notional: "0", wait_ms: 1.5 }] })),
      "$.routes[0].maker_wait_curve[0].wait_ms",
      "integer",
    ],
    [
      "a wait beyond the maximum",
      table(validRow({ maker_wait_curve: [{ notional: "0", wait_ms: 600_000 }] })),
      "$.routes[0].maker_wait_curve[0].wait_ms",
      "range",
    ],
    [
      "θ above one",
      table(validRow({ maker_fill_ratio_min: "1.01" })),
      "$.routes[0].maker_fill_ratio_min",
      "range",
    ],
    [
      "a zero slice notional",
      table(validRow({ twap_slice_notional: "0" })),
      "$.routes[0].twap_slice_notional",
      "range",
    ],
    [
      "a missing TWAP threshold",
      table(validRow({ twap_above_notional: undefined })),
      "$.routes[0].twap_above_notional",
      "required",
    ],
    [
      "a zero spread limit",
      table(validRow({ spread_bps_max: 0 })),
      "$.routes[0].spread_bps_max",
      "range",
    ],
    [
      "a string slippage limit",
      table(validRow({ slip_bp_max: "8" })),
      "$.routes[0].slip_bp_max",
      "type",
    ],
    [
      "an unknown fallback",
      table(validRow({ maker_fallback: "IOC" })),
      "$.routes[0].maker_fallback",
      "enum",
    ],
    [
      "a negative delay",
      table(validRow({ spread_delay_ms: -1 })),
      "$.routes[0].spread_delay_ms",
      "range",
    ],
    [
      "too many retries",
      table(validRow({ spread_retry_max: 11 })),
      "$.routes[0].spread_retry_max",
      "range",
    ],
  ];

  for (const [name, json, path, rule] of cases) {
    test(name, () => {
      const result = validateRouteTable(json);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.problems).toContainEqual(expect.objectContaining({ path, rule }));
      for (const problem of result.problems) expect(problem.message.length).toBeGreaterThan(0);
    });
  }

  test("a broken fallback row is reported for its problem, not as missing", () => {
    const result = validateRouteTable(table(validRow({ slip_bp_max: -1 })));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.rule)).toEqual(["range"]);
  });

  test("accepts a null TWAP threshold, numeric decimals and a numeric rev", () => {
    const result = validateRouteTable({
      rev: 42,
      routes: [validRow({ twap_above_notional: null, twap_slice_notional: 2500.5 })],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.table.rev).toBe("42");
    expect(result.table.rows[0]!.twapAboveNotional).toBeNull();
    expect(formatDecimal(result.table.rows[0]!.twapSliceNotional)).toBe("2500.5");
  });
});

describe("routeFor", () => {
  const routes = (() => {
    const result = validateRouteTable(
      table(
        validRow({ market: "FUT", symbol: "BTCUSDT", slip_bp_max: 1 }),
        validRow({ market: "FUT", symbol: "*", slip_bp_max: 2 }),
        validRow({ market: "*", symbol: "ETHUSDT", slip_bp_max: 3 }),
        validRow({ slip_bp_max: 4 }),
      ),
    );
    if (!result.ok) throw new Error("fixture table is invalid");
    return result.table;
  })();

  const cases: [string, "SPOT" | "FUT", string, number][] = [
    ["exact row", "FUT", "BTCUSDT", 1],
    ["market wildcard", "FUT", "SOLUSDT", 2],
    ["symbol on any market", "SPOT", "ETHUSDT", 3],
    ["global fallback", "SPOT", "SOLUSDT", 4],
    ["market row beats symbol-only row", "FUT", "ETHUSDT", 2],
  ];
  for (const [name, market, symbol, marker] of cases) {
    test(name, () => expect(routeFor(routes, market, symbol).slippageLimitBps).toBe(marker));
  }
});

describe("makerWaitMs", () => {
  const row = {
    makerWaitCurve: [
      { notional: dec("1000"), waitMs: 1000 },
      { notional: dec("2000"), waitMs: 2000 },
      { notional: dec("10000"), waitMs: 3000 },
    ],
  } as unknown as RouteRow;

  const cases: [string, string, number, number][] = [
    ["clamped below the first point", "10", 10_000, 1000],
    ["on a point", "2000", 10_000, 2000],
    ["between points", "1500", 10_000, 1500],
    ["rounded half up to the ms", "1000.5", 10_000, 1001],
    ["second segment", "6000", 10_000, 2500],
    ["clamped above the last point", "1000000", 10_000, 3000],
    ["capped", "6000", 1200, 1200],
    ["zero cap", "6000", 0, 0],
  ];
  for (const [name, notional, capMs, expected] of cases) {
    test(name, () => expect(makerWaitMs(row, dec(notional), capMs)).toBe(expected));
  }

  test("property: any curve's wait lies between the waits of its segment's end points", () => {
    const point = fc.record({
      notional: fc.integer({ min: 0, max: 1_000_000 }),
      waitMs: fc.integer({ min: 0, max: 60_000 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(point, { minLength: 2, maxLength: 8, selector: (item) => item.notional }),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (raw, segmentDraw, position) => {
          const sorted = [...raw].sort((a, b) => a.notional - b.notional);
          const curve = sorted.map((item) => ({
            notional: dec(String(item.notional)),
            waitMs: item.waitMs,
          }));
          const segment = segmentDraw % (sorted.length - 1);
          const left = sorted[segment]!;
          const right = sorted[segment + 1]!;
          const notional = Math.round(left.notional + position * (right.notional - left.notional));
          const waitMs = makerWaitMs(
            { makerWaitCurve: curve } as unknown as RouteRow,
            dec(String(notional)),
            60_000,
          );
          expect(waitMs).toBeGreaterThanOrEqual(Math.min(left.waitMs, right.waitMs));
          expect(waitMs).toBeLessThanOrEqual(Math.max(left.waitMs, right.waitMs));
          expect(Number.isInteger(waitMs)).toBe(true);
        },
      ),
    );
  });

  test("property: on a rising curve the wait stays in range and grows with notional", () => {
    const point = fc.record({
      notional: fc.integer({ min: 0, max: 1_000_000 }),
      waitMs: fc.integer({ min: 0, max: 60_000 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(point, { minLength: 1, maxLength: 8, selector: (item) => item.notional }),
        fc.integer({ min: 0, max: 1_200_000 }),
        fc.integer({ min: 0, max: 1_200_000 }),
        (raw, first, second) => {
          const sorted = [...raw].sort((a, b) => a.notional - b.notional);
          const waits = [...sorted.map((item) => item.waitMs)].sort((a, b) => a - b);
          // Monotone curve: sorted notionals paired with sorted waits.
          const curve = sorted.map((item, index) => ({
            notional: dec(String(item.notional)),
            waitMs: waits[index]!,
          }));
          const monotone = { makerWaitCurve: curve } as unknown as RouteRow;
          const low = Math.min(first, second);
          const high = Math.max(first, second);
          const atLow = makerWaitMs(monotone, dec(String(low)), 60_000);
          const atHigh = makerWaitMs(monotone, dec(String(high)), 60_000);
          expect(atLow).toBeLessThanOrEqual(atHigh);
          expect(atLow).toBeGreaterThanOrEqual(waits[0]!);
          expect(atHigh).toBeLessThanOrEqual(waits[waits.length - 1]!);
        },
      ),
    );
  });
});

test("property: routeTableToJson round-trips through validateRouteTable", () => {
  const positiveDecimal = fc
    .tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 4 }))
    .map(([units, scale]): Decimal => ({ units: BigInt(units), scale }));
  const rowArbitrary: fc.Arbitrary<RouteRow> = fc
    .record({
      market: fc.constantFrom("FUT" as const, "SPOT" as const, "*" as const),
      symbol: fc.constantFrom("BTCUSDT", "ETHUSDT", "SOLUSDT", "*"),
      waits: fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 5 }),
      ratioPercent: fc.integer({ min: 0, max: 100 }),
      slice: positiveDecimal,
      above: fc.option(positiveDecimal, { nil: null }),
      spread: fc.integer({ min: 1, max: 10_000 }),
      slip: fc.double({ min: 0.01, max: 10_000, noNaN: true }),
      fallback: fc.constantFrom("MARKET" as const, "LIMIT_THROUGH_TOUCH" as const),
      delay: fc.integer({ min: 0, max: 60_000 }),
      retries: fc.integer({ min: 0, max: 10 }),
    })
    .map((row) => ({
      market: row.market,
      symbol: row.symbol,
      makerWaitCurve: row.waits.map((waitMs, index) => ({
        notional: dec(String(index * 1000)),
        waitMs,
      })),
      makerFillRatioMin: { units: BigInt(row.ratioPercent), scale: 2 },
      twapSliceNotional: row.slice,
      twapAboveNotional: row.above,
      spreadLimitBps: row.spread,
      slippageLimitBps: row.slip,
      makerFallback: row.fallback,
      spreadDelayMs: row.delay,
      spreadRetryMax: row.retries,
    }));
  const rowsArbitrary = fc
    .uniqueArray(rowArbitrary, { minLength: 1, selector: (row) => `${row.market}:${row.symbol}` })
    .map((rows) => {
      const hasFallback = rows.some((row) => row.market === "*" && row.symbol === "*");
      return hasFallback ? rows : [...rows, { ...rows[0]!, market: "*" as const, symbol: "*" }];
    });
  fc.assert(
    fc.property(rowsArbitrary, (rows) => {
      const original: RouteTable = { rev: "r1", rows };
      const json = JSON.stringify(routeTableToJson(original));
      const result = validateRouteTable(JSON.parse(json));
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(JSON.stringify(routeTableToJson(result.table))).toBe(json);
      expect(result.table.rows.length).toBe(rows.length);
    }),
    { numRuns: 200 },
  );
});
