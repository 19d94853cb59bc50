// Binance's request security: the API key header, the HMAC-SHA256 signature over the raw query
// string as received plus the raw body (signature removed, nothing re-encoded), and the timing
// rule timestamp < server + 1000 ms and server − timestamp ≤ recvWindow (max 60000, µs allowed).
// The WebSocket API signs params sorted by name, raw UTF-8, joined with "&".

import { createHmac, timingSafeEqual } from "node:crypto";
import { type ApiFailure, errors, integerRange } from "./api-errors.ts";

export interface Credentials {
  readonly apiKey: string;
  readonly apiSecret: string;
}

export const recvWindowMsDefault = 5_000;
export const recvWindowMsMax = 60_000;
const apiKeyPattern = /^[A-Za-z0-9]{64}$/;
/** Timestamps above this are microseconds. */
const microsecondThreshold = 1e14;

export function hmacHex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

/** -2014 for a missing or malformed key, -2015 for a well-formed key that is not ours. */
export function checkApiKey(header: string | null, credentials: Credentials): ApiFailure | null {
  if (header === null || header === "") return errors.apiKeyFormat();
  if (header === credentials.apiKey) return null;
  return apiKeyPattern.test(header) ? errors.apiKeyRejected() : errors.apiKeyFormat();
}

function withoutSignature(raw: string): { rest: string; signature: string | null } {
  let signature: string | null = null;
  const kept: string[] = [];
  for (const segment of raw.split("&")) {
    if (segment.startsWith("signature=")) signature = segment.slice("signature=".length);
    else if (segment !== "") kept.push(segment);
  }
  return { rest: kept.join("&"), signature };
}

/** The signed payload and the signature as sent: query (minus signature) + body (minus it). */
export function restSignedPayload(
  query: string,
  body: string,
): { readonly payload: string; readonly signature: string | null } {
  const fromQuery = withoutSignature(query);
  const fromBody = withoutSignature(body);
  return {
    payload: fromQuery.rest + fromBody.rest,
    signature: fromQuery.signature ?? fromBody.signature,
  };
}

/** Hex signatures compare case-insensitively, in constant time. */
export function signatureMatches(secret: string, payload: string, signature: string): boolean {
  const expected = Buffer.from(hmacHex(secret, payload), "utf8");
  const given = Buffer.from(signature.toLowerCase(), "utf8");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The WebSocket API payload: every param but signature, sorted by name, raw values. */
export function webSocketPayload(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((name) => name !== "signature")
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join("&");
}

/** timestamp (ms or µs) and recvWindow (ms, up to three decimals) against the server time. */
export function checkTiming(
  timestampText: string | null,
  recvWindowText: string | null,
  nowMs: number,
): ApiFailure | null {
  if (timestampText === null) return errors.mandatory("timestamp");
  if (!/^\d{1,20}$/.test(timestampText)) return errors.illegalParam("timestamp", integerRange);
  let recvWindowMs = recvWindowMsDefault;
  if (recvWindowText !== null) {
    if (!/^\d{1,10}(\.\d{1,3})?$/.test(recvWindowText)) return errors.mandatory("recvWindow");
    recvWindowMs = Number(recvWindowText);
    if (recvWindowMs > recvWindowMsMax) {
      return errors.tooLarge("recvWindow", String(recvWindowMsMax));
    }
  }
  const raw = Number(timestampText);
  const timestampMs = raw > microsecondThreshold ? raw / 1000 : raw;
  if (timestampMs >= nowMs + 1_000) return errors.timestampAhead();
  if (nowMs - timestampMs > recvWindowMs) return errors.timestampOutside();
  return null;
}
