// Exact decimals: parsing and formatting round-trip, invalid text is refused with the right code,
// and every operation agrees with plain bigint arithmetic on units / 10^scale.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  abs,
  add,
  compare,
  type Decimal,
  dec,
  decimal,
  decimalIntegerDigitsMax,
  decimalScaleMax,
  div,
  divideRounded,
  eq,
  formatDecimal,
  formatFixed,
  fromInteger,
  gt,
  gte,
  isPositive,
  isZero,
  lt,
  lte,
  max,
  min,
  mul,
  neg,
  normalize,
  parseDecimal,
  pow10,
  type Rounding,
  rescaleExact,
  roundToScale,
  sign,
  sub,
  sum,
  toNumber,
  zero,
} from "../../../../domain/decimal/index.ts";
import {
  compareTruth,
  decimalArbitrary,
  isRoundedQuotient,
  roundingArbitrary,
  sameValue,
  tenTo,
} from "./decimal-arbitraries.ts";

const canonicalPattern = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;

describe("parseDecimal", () => {
  test.each([
    ["0.002", 2n, 3],
    ["-12", -12n, 0],
    ["97000.10", 970001n, 1],
    ["0.00001000", 1n, 5],
    ["000.5000", 5n, 1],
    ["0", 0n, 0],
    ["-0", 0n, 0],
    ["-0.000", 0n, 0],
    ["1000000.00000000", 1000000n, 0],
  ])("%p parses to units %p at scale %p", (text, units, scale) => {
    expect(parseDecimal(text)).toEqual({ ok: true, value: { units, scale } });
  });

  test.each([
    "",
    " ",
    "1e5",
    "1E-3",
    "2.5e+2",
    "+1",
    ".5",
    "5.",
    "-",
    "-.5",
    "1.2.3",
    "--1",
    " 1",
    "1 ",
    "1,5",
    "0x10",
    "NaN",
    "Infinity",
    "-Infinity",
    "abc",
    "12a",
    "١٢", // Arabic-Indic digits are not ASCII digits
    "1_000",
  ])("%p is refused as FORMAT", (text) => {
    expect(parseDecimal(text)).toEqual({ ok: false, error: "FORMAT" });
  });

  test("accepts exactly decimalScaleMax decimals and refuses one more as TOO_PRECISE", () => {
    const longest = `0.${"0".repeat(decimalScaleMax - 1)}1`;
    expect(parseDecimal(longest)).toEqual({ ok: true, value: { units: 1n, scale: 18 } });
    const tooLong = `0.${"0".repeat(decimalScaleMax)}1`;
    expect(parseDecimal(tooLong)).toEqual({ ok: false, error: "TOO_PRECISE" });
    expect(parseDecimal(`-${tooLong}`)).toEqual({ ok: false, error: "TOO_PRECISE" });
  });

  test("trailing zeros beyond the scale limit carry no precision and are accepted", () => {
    expect(parseDecimal(`1.${"0".repeat(40)}`)).toEqual({
      ok: true,
      value: { units: 1n, scale: 0 },
    });
  });

  test("accepts exactly decimalIntegerDigitsMax integer digits and refuses one more", () => {
    const widest = "9".repeat(decimalIntegerDigitsMax);
    expect(parseDecimal(widest)).toEqual({ ok: true, value: { units: BigInt(widest), scale: 0 } });
    expect(parseDecimal(`1${"0".repeat(decimalIntegerDigitsMax)}`)).toEqual({
      ok: false,
      error: "TOO_LARGE",
    });
    expect(parseDecimal(`-1${"0".repeat(decimalIntegerDigitsMax)}.5`)).toEqual({
      ok: false,
      error: "TOO_LARGE",
    });
  });

  test("leading zeros do not count as integer digits", () => {
    const padded = `${"0".repeat(50)}7`;
    expect(parseDecimal(padded)).toEqual({ ok: true, value: { units: 7n, scale: 0 } });
  });

  test("dec throws on text that is not a decimal and names the error", () => {
    expect(() => dec("1e3")).toThrow("FORMAT");
    expect(() => dec(`0.${"1".repeat(19)}`)).toThrow("TOO_PRECISE");
    expect(() => dec("1".repeat(21))).toThrow("TOO_LARGE");
    expect(dec("-1.50")).toEqual({ units: -15n, scale: 1 });
  });

  test("any plain decimal string parses to its exact value and formats canonically", () => {
    const text = fc
      .record({
        negative: fc.boolean(),
        whole: fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 20 }),
        fraction: fc.option(
          fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 18 }),
        ),
      })
      .map(({ negative, whole, fraction }) => {
        return `${negative ? "-" : ""}${whole}${fraction === null ? "" : `.${fraction}`}`;
      });
    fc.assert(
      fc.property(text, (input) => {
        const parsed = parseDecimal(input);
        if (!parsed.ok) throw new Error(`refused ${input}: ${parsed.error}`);
        const [whole = "", fraction = ""] = input.replace("-", "").split(".");
        const magnitude = BigInt(whole + fraction);
        const truth: Decimal = {
          units: input.startsWith("-") ? -magnitude : magnitude,
          scale: fraction.length,
        };
        expect(sameValue(parsed.value, truth)).toBe(true);
        const formatted = formatDecimal(parsed.value);
        expect(formatted).toMatch(canonicalPattern);
        expect(formatted).not.toBe("-0");
        expect(formatDecimal(dec(formatted))).toBe(formatted);
      }),
    );
  });
});

describe("formatDecimal", () => {
  test.each([
    [0n, 8, "0"],
    [-0n, 3, "0"],
    [1000n, 3, "1"],
    [1n, 8, "0.00000001"],
    [-15n, 3, "-0.015"],
    [970001n, 1, "97000.1"],
    [120n, 0, "120"],
  ])("units %p at scale %p formats as %p", (units, scale, text) => {
    expect(formatDecimal({ units, scale })).toBe(text);
  });

  test("parse(format(d)) equals d for any decimal within limits", () => {
    fc.assert(
      fc.property(decimalArbitrary(), (value) => {
        const text = formatDecimal(value);
        expect(text).toMatch(canonicalPattern);
        const parsed = parseDecimal(text);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) {
          expect(sameValue(parsed.value, value)).toBe(true);
          expect(parsed.value).toEqual(normalize(value));
        }
      }),
    );
  });

  test("formatFixed pads to the scale and refuses to drop digits", () => {
    expect(formatFixed(dec("0.1"), 8)).toBe("0.10000000");
    expect(formatFixed(dec("-3"), 2)).toBe("-3.00");
    expect(formatFixed(dec("12.340"), 2)).toBe("12.34");
    expect(formatFixed(zero, 0)).toBe("0");
    expect(() => formatFixed(dec("0.123"), 2)).toThrow("more than 2 decimals");
  });

  test("formatFixed round-trips at any scale at least the value's own", () => {
    fc.assert(
      fc.property(decimalArbitrary(), fc.integer({ min: 0, max: 6 }), (value, extra) => {
        const text = formatFixed(value, value.scale + extra);
        const fraction = text.split(".")[1] ?? "";
        expect(fraction.length).toBe(value.scale + extra);
        expect(sameValue(dec(text), value)).toBe(true);
      }),
    );
  });
});

describe("construction", () => {
  test("decimal() refuses a negative or fractional scale", () => {
    expect(decimal(5n, 2)).toEqual({ units: 5n, scale: 2 });
    expect(() => decimal(5n, -1)).toThrow("scale");
    expect(() => decimal(5n, 1.5)).toThrow("scale");
  });

  test("fromInteger, pow10, zero and predicates", () => {
    expect(fromInteger(42)).toEqual({ units: 42n, scale: 0 });
    expect(fromInteger(-7n)).toEqual({ units: -7n, scale: 0 });
    expect(pow10(0)).toBe(1n);
    expect(pow10(18)).toBe(tenTo(18));
    expect(pow10(70)).toBe(tenTo(70));
    expect(isZero(dec("0.000"))).toBe(true);
    expect(isPositive(dec("0.00000001"))).toBe(true);
    expect(isPositive(zero)).toBe(false);
    expect(isPositive(dec("-1"))).toBe(false);
    expect(toNumber(dec("97000.10"))).toBe(97000.1);
  });
});

const arithmeticDecimal = decimalArbitrary({ scaleMax: 12, integerDigitsMax: 12 });

describe("arithmetic agrees with bigint truth", () => {
  test("add, sub, neg and abs are exact", () => {
    fc.assert(
      fc.property(arithmeticDecimal, arithmeticDecimal, (a, b) => {
        const scale = Math.max(a.scale, b.scale);
        const x = a.units * tenTo(scale - a.scale);
        const y = b.units * tenTo(scale - b.scale);
        expect(sameValue(add(a, b), { units: x + y, scale })).toBe(true);
        expect(sameValue(sub(a, b), { units: x - y, scale })).toBe(true);
        expect(sameValue(add(a, neg(a)), zero)).toBe(true);
        expect(
          sameValue(abs(a), { units: a.units < 0n ? -a.units : a.units, scale: a.scale }),
        ).toBe(true);
      }),
    );
  });

  test("mul is exact and normalized", () => {
    fc.assert(
      fc.property(arithmeticDecimal, arithmeticDecimal, (a, b) => {
        const product = mul(a, b);
        expect(sameValue(product, { units: a.units * b.units, scale: a.scale + b.scale })).toBe(
          true,
        );
        expect(product).toEqual(normalize(product));
      }),
    );
  });

  test("sum of a list equals the fold of add", () => {
    fc.assert(
      fc.property(fc.array(arithmeticDecimal, { maxLength: 12 }), (values) => {
        let units = 0n;
        const scale = 12;
        for (const value of values) units += value.units * tenTo(scale - value.scale);
        expect(sameValue(sum(values), { units, scale })).toBe(true);
      }),
    );
  });

  test("sign and compare match the exact order", () => {
    fc.assert(
      fc.property(arithmeticDecimal, arithmeticDecimal, (a, b) => {
        const truth = compareTruth(a, b);
        expect(compare(a, b)).toBe(truth);
        expect(compare(b, a)).toBe(truth === 0 ? 0 : truth === 1 ? -1 : 1);
        expect(eq(a, b)).toBe(truth === 0);
        expect(lt(a, b)).toBe(truth < 0);
        expect(lte(a, b)).toBe(truth <= 0);
        expect(gt(a, b)).toBe(truth > 0);
        expect(gte(a, b)).toBe(truth >= 0);
        expect(sameValue(min(a, b), truth <= 0 ? a : b)).toBe(true);
        expect(sameValue(max(a, b), truth >= 0 ? a : b)).toBe(true);
        expect(sign(a)).toBe(compareTruth(a, zero));
      }),
    );
  });

  test("compare ignores representation: 1.50 equals 1.5, 0.10 < 0.2", () => {
    expect(compare(dec("1.50"), { units: 150n, scale: 2 })).toBe(0);
    expect(compare({ units: 10n, scale: 2 }, dec("0.2"))).toBe(-1);
    expect(compare(dec("-0.001"), zero)).toBe(-1);
    expect(compare(dec("97000.1"), dec("97000.09999999"))).toBe(1);
  });
});

describe("divideRounded", () => {
  test.each<[bigint, bigint, Rounding, bigint]>([
    [7n, 2n, "floor", 3n],
    [7n, 2n, "ceil", 4n],
    [7n, 2n, "half_up", 4n],
    [-7n, 2n, "floor", -4n],
    [-7n, 2n, "ceil", -3n],
    [-7n, 2n, "half_up", -4n],
    [7n, -2n, "floor", -4n],
    [7n, -2n, "ceil", -3n],
    [7n, -2n, "half_up", -4n],
    [-7n, -2n, "floor", 3n],
    [-7n, -2n, "ceil", 4n],
    [-7n, -2n, "half_up", 4n],
    [5n, 3n, "half_up", 2n],
    [4n, 3n, "half_up", 1n],
    [-4n, 3n, "half_up", -1n],
    [-5n, 3n, "half_up", -2n],
    [6n, 3n, "floor", 2n],
    [6n, 3n, "ceil", 2n],
    [-6n, 3n, "half_up", -2n],
    [0n, 5n, "ceil", 0n],
    [1n, 3n, "ceil", 1n],
    [-1n, 3n, "floor", -1n],
    [-1n, 3n, "ceil", 0n],
  ])("%p / %p rounded %p is %p", (numerator, denominator, rounding, quotient) => {
    expect(divideRounded(numerator, denominator, rounding)).toBe(quotient);
  });

  test("ties round away from zero, symmetrically for negatives", () => {
    expect(divideRounded(5n, 2n, "half_up")).toBe(3n);
    expect(divideRounded(-5n, 2n, "half_up")).toBe(-3n);
    expect(divideRounded(1n, 2n, "half_up")).toBe(1n);
    expect(divideRounded(-1n, 2n, "half_up")).toBe(-1n);
  });

  test("refuses division by zero", () => {
    expect(() => divideRounded(1n, 0n, "floor")).toThrow("division by zero");
  });

  test("any numerator and non-zero denominator round as stated", () => {
    const nonZero = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).filter((d) => d !== 0n);
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
        nonZero,
        roundingArbitrary,
        (numerator, denominator, rounding) => {
          const quotient = divideRounded(numerator, denominator, rounding);
          expect(isRoundedQuotient(quotient, numerator, denominator, rounding)).toBe(true);
          expect(divideRounded(-numerator, -denominator, rounding)).toBe(quotient);
        },
      ),
    );
  });

  test("an exact tie k + ½ rounds to k + 1 and its mirror to −(k + 1)", () => {
    // Random operands almost never tie, so ties get a generator of their own.
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        (whole, half) => {
          const denominator = 2n * half;
          const numerator = (2n * whole + 1n) * half;
          expect(divideRounded(numerator, denominator, "half_up")).toBe(whole + 1n);
          expect(divideRounded(-numerator, denominator, "half_up")).toBe(-(whole + 1n));
          expect(divideRounded(numerator, -denominator, "half_up")).toBe(-(whole + 1n));
        },
      ),
    );
  });

  test("floor never exceeds ceil and they differ only on a remainder", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        (numerator, denominator) => {
          const floor = divideRounded(numerator, denominator, "floor");
          const ceil = divideRounded(numerator, denominator, "ceil");
          const expected = numerator % denominator === 0n ? 0n : 1n;
          expect(ceil - floor).toBe(expected);
        },
      ),
    );
  });
});

describe("div", () => {
  test.each<[string, string, number, Rounding, string]>([
    ["1", "3", 4, "floor", "0.3333"],
    ["1", "3", 4, "ceil", "0.3334"],
    ["2", "3", 4, "half_up", "0.6667"],
    ["-1", "3", 4, "floor", "-0.3334"],
    ["-1", "3", 4, "ceil", "-0.3333"],
    ["-2", "3", 4, "half_up", "-0.6667"],
    ["0.5", "0.25", 0, "floor", "2"],
    ["97000.1", "0.001", 2, "floor", "97000100"],
    ["1", "8", 2, "half_up", "0.13"],
    ["-1", "8", 2, "half_up", "-0.13"],
    ["123.456", "1000", 2, "floor", "0.12"],
    ["123.456", "-1000", 2, "floor", "-0.13"],
  ])("%p / %p at scale %p rounded %p is %p", (a, b, scale, rounding, expected) => {
    const quotient = div(dec(a), dec(b), scale, rounding);
    expect(quotient.scale).toBe(scale);
    expect(formatDecimal(quotient)).toBe(expected);
  });

  test("refuses division by zero", () => {
    expect(() => div(dec("1"), zero, 2, "floor")).toThrow("division by zero");
  });

  test("any quotient is the exact ratio rounded as stated at the asked scale", () => {
    const divisor = arithmeticDecimal.filter((value) => value.units !== 0n);
    fc.assert(
      fc.property(
        arithmeticDecimal,
        divisor,
        fc.integer({ min: 0, max: 14 }),
        roundingArbitrary,
        (a, b, scale, rounding) => {
          const quotient = div(a, b, scale, rounding);
          expect(quotient.scale).toBe(scale);
          // (a.u / 10^as) / (b.u / 10^bs) · 10^scale = a.u · 10^(bs + scale) / (b.u · 10^as)
          const numerator = a.units * tenTo(b.scale + scale);
          const denominator = b.units * tenTo(a.scale);
          expect(isRoundedQuotient(quotient.units, numerator, denominator, rounding)).toBe(true);
        },
      ),
    );
  });
});

describe("rescale", () => {
  test("rescaleExact raises without loss and lowers only when no digit is dropped", () => {
    expect(rescaleExact(dec("1.5"), 4)).toEqual({ units: 15000n, scale: 4 });
    expect(rescaleExact({ units: 15000n, scale: 4 }, 1)).toEqual({ units: 15n, scale: 1 });
    expect(() => rescaleExact(dec("1.55"), 1)).toThrow("more than 1 decimals");
    fc.assert(
      fc.property(arithmeticDecimal, fc.integer({ min: 0, max: 8 }), (value, extra) => {
        const raised = rescaleExact(value, value.scale + extra);
        expect(raised.scale).toBe(value.scale + extra);
        expect(sameValue(raised, value)).toBe(true);
        expect(rescaleExact(raised, value.scale)).toEqual(value);
      }),
    );
  });

  test("roundToScale rounds in the stated direction and keeps exact values", () => {
    expect(roundToScale(dec("1.2345"), 2, "floor")).toEqual({ units: 123n, scale: 2 });
    expect(roundToScale(dec("1.2345"), 2, "ceil")).toEqual({ units: 124n, scale: 2 });
    expect(roundToScale(dec("1.235"), 2, "half_up")).toEqual({ units: 124n, scale: 2 });
    expect(roundToScale(dec("-1.235"), 2, "half_up")).toEqual({ units: -124n, scale: 2 });
    expect(roundToScale(dec("-1.2345"), 2, "floor")).toEqual({ units: -124n, scale: 2 });
    expect(roundToScale(dec("1.5"), 3, "floor")).toEqual({ units: 1500n, scale: 3 });
    fc.assert(
      fc.property(
        arithmeticDecimal,
        fc.integer({ min: 0, max: 12 }),
        roundingArbitrary,
        (value, scale, rounding) => {
          const rounded = roundToScale(value, scale, rounding);
          expect(rounded.scale).toBe(scale);
          const numerator = value.units * tenTo(scale);
          const denominator = tenTo(value.scale);
          expect(isRoundedQuotient(rounded.units, numerator, denominator, rounding)).toBe(true);
          if (rounding === "floor") expect(lte(rounded, value)).toBe(true);
          if (rounding === "ceil") expect(gte(rounded, value)).toBe(true);
        },
      ),
    );
  });

  test("normalize drops trailing zeros only", () => {
    expect(normalize({ units: 1500n, scale: 3 })).toEqual({ units: 15n, scale: 1 });
    expect(normalize({ units: 0n, scale: 8 })).toEqual(zero);
    expect(normalize({ units: 1500n, scale: 0 })).toEqual({ units: 1500n, scale: 0 });
    fc.assert(
      fc.property(arithmeticDecimal, (value) => {
        const normalized = normalize(value);
        expect(sameValue(normalized, value)).toBe(true);
        expect(normalized.scale === 0 || normalized.units % 10n !== 0n).toBe(true);
      }),
    );
  });
});
