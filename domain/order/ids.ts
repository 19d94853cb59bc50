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
