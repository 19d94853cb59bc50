// Exact decimals as scaled integers: value = units / 10^scale. Nothing here touches binary floating
// point except toNumber(), which exists for statistics only.

export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** Largest scale we accept from the outside world; Binance never sends more than 8. */
export const decimalScaleMax = 18;
/** Largest count of integer digits we accept; keeps every product well inside bigint comfort. */
export const decimalIntegerDigitsMax = 20;

export type DecimalParseError = "FORMAT" | "TOO_PRECISE" | "TOO_LARGE";
export type DecimalParse = { ok: true; value: Decimal } | { ok: false; error: DecimalParseError };

/** floor: toward −∞; ceil: toward +∞; half_up: to the nearest, ties away from zero (1.5 → 2,
 *  −1.5 → −2), so the rounding of −x mirrors that of x. */
export type Rounding = "floor" | "ceil" | "half_up";

const decimalPattern = /^(-)?(\d+)(?:\.(\d+))?$/;
const powersOfTen: bigint[] = [];
for (let exponent = 0n, power = 1n; exponent <= 64n; exponent += 1n, power *= 10n) {
  powersOfTen.push(power);
}

export function pow10(exponent: number): bigint {
  const cached = powersOfTen[exponent];
  if (cached !== undefined) return cached;
  return 10n ** BigInt(exponent);
}

export function decimal(units: bigint, scale: number): Decimal {
  if (!Number.isInteger(scale) || scale < 0)
    throw new Error("Condition failed: scale must be >= 0");
  return { units, scale };
}

export const zero: Decimal = { units: 0n, scale: 0 };

/** Parses a plain decimal string ("0.002", "-12", "97000.10"); no exponents, no signs but "-". */
export function parseDecimal(text: string): DecimalParse {
  const match = decimalPattern.exec(text);
  if (match === null) return { ok: false, error: "FORMAT" };
  const negative = match[1] === "-";
  const integerDigits = (match[2] ?? "").replace(/^0+(?=\d)/, "");
  const fractionDigits = (match[3] ?? "").replace(/0+$/, "");
  if (fractionDigits.length > decimalScaleMax) return { ok: false, error: "TOO_PRECISE" };
  if (integerDigits.length > decimalIntegerDigitsMax) return { ok: false, error: "TOO_LARGE" };
  const units = BigInt(integerDigits + fractionDigits);
  return { ok: true, value: { units: negative ? -units : units, scale: fractionDigits.length } };
}

/** Parses text known to be valid (venue payloads, fixtures); a failure is a broken invariant. */
export function dec(text: string): Decimal {
  const parsed = parseDecimal(text);
  if (!parsed.ok) throw new Error(`Condition failed: "${text}" is not a decimal (${parsed.error})`);
  return parsed.value;
}

/** Removes trailing zeros so that equal values have equal representations. */
export function normalize(value: Decimal): Decimal {
  let { units, scale } = value;
  if (units === 0n) return zero;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return units === value.units && scale === value.scale ? value : { units, scale };
}

/** Canonical text: no trailing zeros, "0" for zero. format(parse(s)) === s for canonical s. */
export function formatDecimal(value: Decimal): string {
  const { units, scale } = normalize(value);
  return formatUnits(units, scale);
}

/** Text with exactly `scale` fraction digits; the value must be representable exactly. */
export function formatFixed(value: Decimal, scale: number): string {
  return formatUnits(rescaleExact(value, scale).units, scale);
}

function formatUnits(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  if (scale === 0) return (negative ? "-" : "") + digits;
  const padded = digits.padStart(scale + 1, "0");
  const whole = padded.slice(0, padded.length - scale);
  const fraction = padded.slice(padded.length - scale);
  return (negative ? "-" : "") + whole + "." + fraction;
}

/** Raises the scale without loss; lowering it must not drop digits. */
export function rescaleExact(value: Decimal, scale: number): Decimal {
  if (scale === value.scale) return value;
  if (scale > value.scale) return { units: value.units * pow10(scale - value.scale), scale };
  const divisor = pow10(value.scale - scale);
  if (value.units % divisor !== 0n) {
    throw new Error(`Condition failed: ${formatDecimal(value)} has more than ${scale} decimals`);
  }
  return { units: value.units / divisor, scale };
}

/** Rounds to `scale` fraction digits in the stated direction. */
export function roundToScale(value: Decimal, scale: number, rounding: Rounding): Decimal {
  if (scale >= value.scale) return rescaleExact(value, scale);
  return { units: divideRounded(value.units, pow10(value.scale - scale), rounding), scale };
}

/** Integer division with an explicit rounding direction (see `Rounding`). */
export function divideRounded(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator === 0n) throw new Error("Condition failed: division by zero");
  let n = numerator;
  let d = denominator;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const quotient = n / d;
  const remainder = n % d;
  if (remainder === 0n) return quotient;
  const floor = n < 0n ? quotient - 1n : quotient;
  if (rounding === "floor") return floor;
  if (rounding === "ceil") return floor + 1n;
  // half_up: compare twice the remainder's magnitude with d; a tie moves away from zero.
  const twiceRemainder = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twiceRemainder < d) return quotient;
  return n < 0n ? quotient - 1n : quotient + 1n;
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [rescaleExact(a, scale).units, rescaleExact(b, scale).units, scale];
}

export function compare(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const eq = (a: Decimal, b: Decimal): boolean => compare(a, b) === 0;
export const lt = (a: Decimal, b: Decimal): boolean => compare(a, b) < 0;
export const lte = (a: Decimal, b: Decimal): boolean => compare(a, b) <= 0;
export const gt = (a: Decimal, b: Decimal): boolean => compare(a, b) > 0;
export const gte = (a: Decimal, b: Decimal): boolean => compare(a, b) >= 0;

export function min(a: Decimal, b: Decimal): Decimal {
  return lte(a, b) ? a : b;
}

export function max(a: Decimal, b: Decimal): Decimal {
  return gte(a, b) ? a : b;
}

export function add(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = aligned(a, b);
  return { units: x + y, scale };
}

export function sub(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = aligned(a, b);
  return { units: x - y, scale };
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return normalize({ units: a.units * b.units, scale: a.scale + b.scale });
}

export function neg(a: Decimal): Decimal {
  return { units: -a.units, scale: a.scale };
}

export function abs(a: Decimal): Decimal {
  return a.units < 0n ? neg(a) : a;
}

export function sign(a: Decimal): -1 | 0 | 1 {
  return a.units < 0n ? -1 : a.units > 0n ? 1 : 0;
}

export const isZero = (a: Decimal): boolean => a.units === 0n;
export const isPositive = (a: Decimal): boolean => a.units > 0n;

/** a / b rounded to `scale` fraction digits in the stated direction. */
export function div(a: Decimal, b: Decimal, scale: number, rounding: Rounding): Decimal {
  // a.units/10^as ÷ b.units/10^bs = (a.units · 10^(bs + scale − as)) / b.units at `scale`.
  const shift = b.scale + scale - a.scale;
  const numerator = shift >= 0 ? a.units * pow10(shift) : a.units;
  const denominator = shift >= 0 ? b.units : b.units * pow10(-shift);
  return { units: divideRounded(numerator, denominator, rounding), scale };
}

export function sum(values: readonly Decimal[]): Decimal {
  let total = zero;
  for (const value of values) total = add(total, value);
  return total;
}

/** Statistics only: never use the result to decide a price or a quantity. */
export function toNumber(value: Decimal): number {
  return Number(formatDecimal(value));
}

/** Converts an integer count of something into a Decimal. */
export function fromInteger(value: bigint | number): Decimal {
  return { units: BigInt(value), scale: 0 };
}
