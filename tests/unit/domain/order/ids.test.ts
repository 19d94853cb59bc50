// Derived ids: every client order id the router sends passes Binance's rule, is the same on a
// replay, and a child id can never equal any intent's base id.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  childClientOrderId,
  childSuffixLengthMax,
  clientOrderIdBase,
  clientOrderIdPattern,
  contentDigest,
  digestId,
  intentIdPattern,
  routerOrderId,
} from "../../../../domain/order/index.ts";

/** Binance's rule, spelled out here rather than imported, so the test pins the real one. */
const binanceClientOrderId = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const intentCharacters = [
  ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-",
] as const;

function intentIdOf(lengthMin: number, lengthMax: number): fc.Arbitrary<string> {
  const unit = fc.constantFrom(...intentCharacters);
  return fc.string({ unit, minLength: lengthMin, maxLength: lengthMax });
}

/** Any valid intent id, with the lengths around the verbatim/hashed boundary well covered. */
const intentIdArbitrary = fc.oneof(intentIdOf(1, 64), intentIdOf(26, 31), intentIdOf(60, 64));
const suffixArbitrary = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"),
  minLength: 1,
  maxLength: childSuffixLengthMax - 1,
});

describe("clientOrderIdBase", () => {
  test("the exported patterns are Binance's and DESIGN §3.1's", () => {
    expect(clientOrderIdPattern.source).toBe(binanceClientOrderId.source);
    expect(intentIdPattern.test("a".repeat(64))).toBe(true);
    expect(intentIdPattern.test("a".repeat(65))).toBe(false);
    expect(intentIdPattern.test("a/b")).toBe(false);
  });

  test("short intent ids are used verbatim; long ones keep a prefix and a digest", () => {
    expect(clientOrderIdBase("intent-1")).toBe("intent-1");
    const boundary = "x".repeat(28);
    expect(clientOrderIdBase(boundary)).toBe(boundary);
    const long = `strategy-7:${"a".repeat(40)}`;
    const base = clientOrderIdBase(long);
    expect(base).toMatch(/^strategy-7\/[0-9a-z]{17}$/);
    expect(clientOrderIdBase(`${"x".repeat(28)}y`)).toHaveLength(28);
  });

  test("for any valid intent id: Binance-valid, at most 36 characters, deterministic", () => {
    fc.assert(
      fc.property(intentIdArbitrary, (intentId) => {
        expect(intentIdPattern.test(intentId)).toBe(true);
        const base = clientOrderIdBase(intentId);
        expect(base).toMatch(binanceClientOrderId);
        expect(base.length).toBeLessThanOrEqual(36);
        expect(clientOrderIdBase(intentId)).toBe(base);
        expect(clientOrderIdBase(intentId.slice(0))).toBe(base);
      }),
      { numRuns: 500 },
    );
  });

  test("distinct intent ids get distinct bases, even with a shared prefix", () => {
    fc.assert(
      fc.property(intentIdArbitrary, intentIdArbitrary, (first, second) => {
        fc.pre(first !== second);
        expect(clientOrderIdBase(first)).not.toBe(clientOrderIdBase(second));
      }),
      { numRuns: 500 },
    );
    const prefix = "intent-2026-11-26:";
    const bases = new Set<string>();
    for (let index = 0; index < 2_000; index += 1) {
      bases.add(clientOrderIdBase(`${prefix}${String(index).padStart(20, "0")}`));
    }
    expect(bases.size).toBe(2_000);
  });
});

describe("childClientOrderId", () => {
  test("'<base>/<suffix>', refused when the suffix is too long or not Binance-valid", () => {
    expect(childClientOrderId("intent-1", "tp")).toBe("intent-1/tp");
    expect(childClientOrderId("intent-1", "s12")).toBe("intent-1/s12");
    expect(() => childClientOrderId("intent-1", "x".repeat(childSuffixLengthMax))).toThrow(
      "suffix too long",
    );
    expect(() => childClientOrderId("intent-1", "t p")).toThrow("bad client order id");
    expect(childClientOrderId("x".repeat(30), "s1234")).toHaveLength(36);
    expect(() => childClientOrderId("x".repeat(31), "s1234")).toThrow("bad client order id");
  });

  test("children of any base are Binance-valid, ≤ 36 characters and never equal a base", () => {
    fc.assert(
      fc.property(
        intentIdArbitrary,
        intentIdArbitrary,
        suffixArbitrary,
        (intentId, otherIntentId, suffix) => {
          const base = clientOrderIdBase(intentId);
          const child = childClientOrderId(base, suffix);
          expect(child).toMatch(binanceClientOrderId);
          expect(child.length).toBeLessThanOrEqual(36);
          expect(childClientOrderId(base, suffix)).toBe(child);
          expect(child).not.toBe(clientOrderIdBase(otherIntentId));
          expect(child).not.toBe(clientOrderIdBase(intentId));
          // A child is never itself a valid intent id, so it cannot be anyone's verbatim base.
          expect(intentIdPattern.test(child)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("children of one base are distinct per suffix, and of distinct bases distinct", () => {
    fc.assert(
      fc.property(
        intentIdArbitrary,
        intentIdArbitrary,
        suffixArbitrary,
        suffixArbitrary,
        (first, second, firstSuffix, secondSuffix) => {
          fc.pre(first !== second || firstSuffix !== secondSuffix);
          const one = childClientOrderId(clientOrderIdBase(first), firstSuffix);
          const other = childClientOrderId(clientOrderIdBase(second), secondSuffix);
          expect(one).not.toBe(other);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("routerOrderId and digestId", () => {
  test("deterministic, role-specific, fixed shape", () => {
    const entry = routerOrderId("intent-1", "entry");
    expect(entry).toMatch(/^ord_[0-9a-z]{22}$/);
    expect(routerOrderId("intent-1", "entry")).toBe(entry);
    expect(routerOrderId("intent-1", "tp")).not.toBe(entry);
    expect(routerOrderId("intent-2", "entry")).not.toBe(entry);
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    expect(routerOrderId("ab", "c")).not.toBe(routerOrderId("a", "bc"));
  });

  test("digestId has the asked length and is stable", () => {
    expect(digestId("x", 17)).toHaveLength(17);
    expect(digestId("x", 25)).toHaveLength(25);
    expect(digestId("x", 17)).toBe(digestId("x", 17));
    expect(digestId("x", 17)).not.toBe(digestId("y", 17));
    expect(digestId("intent-1", 17)).toBe(digestId("intent-1", 25).slice(0, 17));
  });

  test("pinned values: a changed digest would change every id a replay must reproduce", () => {
    expect(digestId("intent-1", 17)).toBe("arkd97zgrdc0xd0ak");
    expect(routerOrderId("intent-1", "entry")).toBe("ord_eebnjamu07nl9brmquqttj");
    expect(clientOrderIdBase(`strategy-7:${"a".repeat(40)}`)).toBe("strategy-7/5lnuysiv1qwuhcwo5");
  });
});

describe("contentDigest", () => {
  test("is 128 bits of hex, stable, and moves with every character", () => {
    const text = JSON.stringify({ intent_id: "a", qty: "0.002", fills: [1, 2, 3] });
    expect(contentDigest(text)).toMatch(/^[0-9a-f]{32}$/);
    expect(contentDigest(text)).toBe(contentDigest(text));
    for (let index = 0; index < text.length; index += 1) {
      const changed =
        text.slice(0, index) +
        String.fromCharCode(text.charCodeAt(index) ^ 1) +
        text.slice(index + 1);
      expect(contentDigest(changed)).not.toBe(contentDigest(text));
    }
    expect(contentDigest("")).toMatch(/^[0-9a-f]{32}$/);
  });

  test("distinct texts give distinct digests (no collision among many near-identical texts)", () => {
    const seen = new Set<string>();
    for (let index = 0; index < 20_000; index += 1)
      seen.add(contentDigest(`{"n":${index},"s":"FILLED"}`).slice(0, 24));
    expect(seen.size).toBe(20_000);
  });
});
