// The intent fingerprint decides "same intent_id, same payload?" (IDEMPOTENCY_MISMATCH): it must
// ignore key order, decimal spelling and the echo-only uuid, and change with everything else.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { dec } from "../../../../domain/decimal/index.ts";
import {
  intentFingerprint,
  intentToJson,
  isReduceOnly,
  type OrderIntent,
  opensPosition,
} from "../../../../domain/order/index.ts";

const intent: OrderIntent = {
  intentId: "strategy-7:0001",
  uuid: "3f1c9a7e-uuid",
  kind: "ENTRY",
  market: "FUT",
  symbol: "BTCUSDT",
  side: "BUY",
  qty: dec("0.002"),
  clientOrderId: null,
  reduceOnly: false,
  execPolicy: {
    type: "TWAP",
    price: dec("97000.1"),
    timeInForce: "GTC",
    makerWaitMs: 1500,
    twap: { slices: 4, gapMs: 2000, jitterMs: 100, curve: "uniform" },
    tpPrice: dec("99000"),
    slPrice: dec("95000"),
  },
  sl: { type: "STOP_MARKET", price: dec("95000") },
  tp: { type: "TAKE_PROFIT_MARKET", target: "price", value: dec("99000") },
};

/** Rebuilds every object with its keys in reverse order (decimals stay as they are). */
function reversedKeys<T>(value: T): T {
  if (value === null || typeof value !== "object" || "units" in value) return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([key, inner]) => [key, reversedKeys(inner)])) as T;
}

/** A copy of `base` with the value at `path` replaced. */
function withPath(base: OrderIntent, path: readonly string[], replacement: unknown): OrderIntent {
  const set = (node: unknown, depth: number): unknown => {
    const record = node as Record<string, unknown>;
    const key = path[depth] as string;
    const next = depth === path.length - 1 ? replacement : set(record[key], depth + 1);
    return { ...record, [key]: next };
  };
  return set(base, 0) as OrderIntent;
}

const definingChanges: readonly (readonly [string, unknown])[] = [
  ["intentId", "strategy-7:0002"],
  ["kind", "EXIT"],
  ["market", "SPOT"],
  ["symbol", "ETHUSDT"],
  ["side", "SELL"],
  ["qty", dec("0.003")],
  ["clientOrderId", "custom-1"],
  ["reduceOnly", true],
  ["execPolicy", null],
  ["execPolicy.type", "LIMIT"],
  ["execPolicy.price", dec("97000.2")],
  ["execPolicy.price", null],
  ["execPolicy.timeInForce", "IOC"],
  ["execPolicy.makerWaitMs", 1501],
  ["execPolicy.twap", null],
  ["execPolicy.twap.slices", 3],
  ["execPolicy.twap.slices", null],
  ["execPolicy.twap.gapMs", 2001],
  ["execPolicy.twap.jitterMs", 0],
  ["execPolicy.twap.curve", "sqrt"],
  ["execPolicy.tpPrice", dec("99000.1")],
  ["execPolicy.slPrice", dec("94999.9")],
  ["sl", null],
  ["sl.price", dec("95000.1")],
  ["tp", null],
  ["tp.target", "roe"],
  ["tp.value", dec("99000.01")],
];

describe("intentFingerprint", () => {
  const fingerprint = intentFingerprint(intent);

  test("is stable under key order", () => {
    const reordered = reversedKeys(intent);
    expect(Object.keys(reordered)[0]).toBe("tp");
    expect(intentFingerprint(reordered)).toBe(fingerprint);
  });

  test("is stable under decimal spelling: 0.0020 is 0.002, 97000.10 is 97000.1", () => {
    const respelled = withPath(
      withPath(intent, ["qty"], { units: 20n, scale: 4 }),
      ["execPolicy", "price"],
      dec("97000.10"),
    );
    expect(intentFingerprint(respelled)).toBe(fingerprint);
    expect(intentFingerprint(withPath(intent, ["qty"], dec("0.0020")))).toBe(fingerprint);
  });

  test("ignores the echo-only uuid", () => {
    fc.assert(
      fc.property(fc.option(fc.string()), (uuid) => {
        expect(intentFingerprint({ ...intent, uuid })).toBe(fingerprint);
      }),
    );
  });

  test.each(definingChanges.map(([path, value]) => [path, value]))(
    "changes when %s changes",
    (path, value) => {
      const changed = withPath(intent, (path as string).split("."), value);
      expect(intentFingerprint(changed)).not.toBe(fingerprint);
    },
  );

  test("every defining change gives a different fingerprint from every other", () => {
    const all = definingChanges.map(([path, value]) =>
      intentFingerprint(withPath(intent, path.split("."), value)),
    );
    expect(new Set([fingerprint, ...all]).size).toBe(definingChanges.length + 1);
  });

  test("is deterministic: the same intent built twice hashes the same", () => {
    expect(intentFingerprint(structuredClone(intent))).toBe(fingerprint);
    expect(fingerprint).toMatch(/^[0-9a-z]{24}$/);
  });
});

describe("intentToJson", () => {
  test("decimals become canonical strings and keys are sorted", () => {
    const json = intentToJson(withPath(intent, ["qty"], { units: 20n, scale: 4 }));
    expect(json["qty"]).toBe("0.002");
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort());
    expect((json["execPolicy"] as Record<string, unknown>)["price"]).toBe("97000.1");
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe("reduce-only and new exposure", () => {
  test.each<[string, Partial<OrderIntent>, boolean, boolean]>([
    ["FUT ENTRY", {}, false, true],
    ["FUT ENTRY reduce_only", { reduceOnly: true }, true, false],
    ["FUT EXIT", { kind: "EXIT" }, true, false],
    ["FUT REDUCE", { kind: "REDUCE" }, true, false],
    ["FUT PROTECT", { kind: "PROTECT" }, false, false],
    ["SPOT ENTRY", { market: "SPOT" }, false, true],
    [
      "SPOT ENTRY reduce_only (no such thing on spot)",
      { market: "SPOT", reduceOnly: true },
      false,
      true,
    ],
    ["SPOT EXIT", { market: "SPOT", kind: "EXIT" }, false, false],
  ])("%s: reduce-only %p, opens a position %p", (_, change, reduceOnly, opens) => {
    const candidate = { ...intent, ...change };
    expect(isReduceOnly(candidate)).toBe(reduceOnly);
    expect(opensPosition(candidate)).toBe(opens);
  });
});
