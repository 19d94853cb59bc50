// Deterministic ids: every id the router creates is derived from the intent, so a replay after a
// crash produces the same ids and the venue's duplicate checks dedupe it.

/** Binance's client order id rule (spot and futures). */
export const clientOrderIdPattern = /^[.A-Z:/a-z0-9_-]{1,36}$/;
export const intentIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

/** Longest intent id used verbatim as a client order id base; longer ones are hashed. */
const verbatimBaseLengthMax = 28;
/** Role suffixes ("/tp", "/s12") stay within this many characters including the "/". */
export const childSuffixLengthMax = 8;

const fnvOffset = 0xcbf29ce484222325n;
const fnvPrime = 0x100000001b3n;
const mask64 = (1n << 64n) - 1n;

/** FNV-1a 64 over UTF-16 code units, seeded: a stable, dependency-free digest for ids. */
function fnv1a64(text: string, seed: bigint): bigint {
  let hash = fnvOffset ^ seed;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= BigInt(text.charCodeAt(index));
    hash = (hash * fnvPrime) & mask64;
  }
  return hash;
}

/** A 128-bit digest rendered in base 36, `length` characters long. */
export function digestId(text: string, length: number): string {
  const high = fnv1a64(text, 0x9e3779b97f4a7c15n);
  const low = fnv1a64(text, 0x632be59bd9b4e019n);
  return ((high << 64n) | low).toString(36).padStart(25, "0").slice(0, length);
}

/**
 * A 128-bit digest of a long text (a result, a request) in 32-bit integer arithmetic: four
 * seeded multiply-xorshift lanes mixed at the end (the cyrb128 construction). Much faster than
 * digestId on kilobytes of JSON; for change detection and dedupe keys, not for security.
 */
export function contentDigest(text: string): string {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    h1 = h2 ^ Math.imul(h1 ^ code, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ code, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ code, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ code, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  const hex = (value: number) => (value >>> 0).toString(16).padStart(8, "0");
  return hex(h1) + hex(h2) + hex(h3) + hex(h4);
}

/**
 * The base of every client order id of an intent. Intent ids may not contain "/", so a hashed
 * base (which contains one) can never equal a verbatim one, and children ("<base>/tp") can
 * never collide with another intent's base.
 */
export function clientOrderIdBase(intentId: string): string {
  if (intentId.length <= verbatimBaseLengthMax) return intentId;
  return `${intentId.slice(0, 10)}/${digestId(intentId, 17)}`;
}

/** A child order's client id: "<base>/<suffix>", e.g. "<base>/s3" for TWAP slice 3. */
export function childClientOrderId(base: string, suffix: string): string {
  if (suffix.length + 1 > childSuffixLengthMax)
    throw new Error("Condition failed: suffix too long");
  const id = `${base}/${suffix}`;
  if (!clientOrderIdPattern.test(id))
    throw new Error(`Condition failed: bad client order id ${id}`);
  return id;
}

/** The router's own id for an order: "ord_" + a digest of the intent and the order's role. */
export function routerOrderId(intentId: string, role: string): string {
  return `ord_${digestId(`${intentId}\u0000${role}`, 22)}`;
}
