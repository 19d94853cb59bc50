// HMAC-SHA256 request signing. REST signs the percent-encoded payload exactly as sent
// (query string + body); the WebSocket API signs alphabetically sorted raw params.

import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { BinanceCredentials } from "./credentials.ts";

export type Param = readonly [name: string, value: string];

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");
const encoder = new TextEncoder();
const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Percent-encodes params in order: `a=1&b=%EF%BC%91`, the bytes that go on the wire. */
export function encodeParams(params: readonly Param[]): string {
  let text = "";
  for (const [name, value] of params) {
    if (text !== "") text += "&";
    text += `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
  }
  return text;
}

/** The WebSocket-API payload: params sorted by name, raw UTF-8 values, no encoding. */
export function webSocketPayload(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((name) => name !== "signature")
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join("&");
}

function toHex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += hexDigits[byte];
  return text;
}

export class HmacSigner {
  /** HMAC state keyed once; each signature copies it into a scratch state, which saves the
   *  two key blocks and every allocation per call (signing is synchronous, so one scratch). */
  readonly #keyed: ReturnType<typeof hmac.create>;
  readonly #scratch: ReturnType<typeof hmac.create>;
  readonly #digest = new Uint8Array(32);

  constructor(credentials: BinanceCredentials) {
    this.#keyed = hmac.create(sha256, credentials.secretBytes());
    this.#scratch = this.#keyed.clone() as ReturnType<typeof hmac.create>;
  }

  /** Hex HMAC of `query + body` (no separator), as Binance verifies it. */
  signRest(query: string, body = ""): string {
    return this.sign(body === "" ? query : query + body);
  }

  /** Hex HMAC over the sorted raw params; returns the signature only. */
  signWebSocket(params: Readonly<Record<string, string>>): string {
    return this.sign(webSocketPayload(params));
  }

  sign(payload: string): string {
    this.#keyed._cloneInto(this.#scratch);
    this.#scratch.update(encoder.encode(payload)).digestInto(this.#digest);
    return toHex(this.#digest);
  }

  toString(): string {
    return "HmacSigner([redacted])";
  }

  toJSON(): string {
    return "[redacted]";
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}
