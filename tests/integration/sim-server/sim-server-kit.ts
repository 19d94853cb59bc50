// Shared helpers for the Binance-protocol simulator tests: signed requests exactly as a Binance
// client builds them, admin calls, WebSocket clients that collect frames, and fixture shape
// comparison (same keys, same JSON types).

import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";

export const fixturesDir = join(import.meta.dir, "..", "..", "fixtures", "binance");

export function fixture(name: string): Record<string, unknown> | unknown[] {
  return JSON.parse(readFileSync(join(fixturesDir, name), "utf8")) as Record<string, unknown>;
}

export function hmacHex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("hex");
}

export function encode(params: Readonly<Record<string, string | number>>): string {
  return Object.entries(params)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join("&");
}

/** Wire JSON as tests read it: loosely, field by field, checked by expectations. */
// biome-ignore lint/suspicious/noExplicitAny: venue payloads are read loosely in tests, by design.
export type Wire = any;

export interface Answer {
  readonly status: number;
  readonly body: Wire;
  readonly headers: Headers;
}

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  return {
    status: response.status,
    body: text === "" ? null : JSON.parse(text),
    headers: response.headers,
  };
}

export interface SignedOptions {
  readonly apiKey?: string | null;
  readonly secret?: string;
  readonly timestampMs?: number;
  /** Send the params in the body instead of the query string. */
  readonly inBody?: boolean;
  readonly recvWindow?: number | null;
}

/** A signed request as Binance documents it: query (or body) + &signature=<hex>. */
export async function signed(
  server: BinanceSimServer,
  method: string,
  path: string,
  params: Readonly<Record<string, string | number>> = {},
  options: SignedOptions = {},
): Promise<Answer> {
  const timing: Record<string, string | number> = {};
  if (options.recvWindow !== null) timing["recvWindow"] = options.recvWindow ?? 5000;
  timing["timestamp"] = options.timestampMs ?? server.clock.nowMs();
  const payload = encode({ ...params, ...timing });
  const signature = hmacHex(options.secret ?? server.apiSecret, payload);
  const full = `${payload}&signature=${signature}`;
  const headers: Record<string, string> = {};
  const key = options.apiKey === undefined ? server.apiKey : options.apiKey;
  if (key !== null) headers["X-MBX-APIKEY"] = key;
  if (options.inBody) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    return answerOf(await fetch(`${server.baseUrl}${path}`, { method, headers, body: full }));
  }
  return answerOf(await fetch(`${server.baseUrl}${path}?${full}`, { method, headers }));
}

/** An unsigned request (public or API-key-only endpoints). */
export async function plain(
  server: BinanceSimServer,
  method: string,
  pathAndQuery: string,
  apiKey: string | null = null,
): Promise<Answer> {
  const headers: Record<string, string> = apiKey === null ? {} : { "X-MBX-APIKEY": apiKey };
  return answerOf(await fetch(`${server.baseUrl}${pathAndQuery}`, { method, headers }));
}

export async function admin(
  server: BinanceSimServer,
  path: string,
  body: unknown = {},
): Promise<Answer> {
  return answerOf(
    await fetch(`${server.baseUrl}${server.adminPath}${path}`, {
      method: "POST",
      body: JSON.stringify(body),
    }),
  );
}

/** A WebSocket client that keeps every text frame; `next` waits for a matching one. */
export class FrameCollector {
  readonly frames: Wire[] = [];
  readonly socket: WebSocket;
  closed = false;
  closeCode: number | null = null;
  private waiters: { match: (frame: Wire) => boolean; resolve: (frame: Wire) => void }[] = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.onmessage = (event) => {
      const frame = JSON.parse(String(event.data));
      this.frames.push(frame);
      for (const waiter of this.waiters.slice()) {
        if (waiter.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    };
    socket.onclose = (event) => {
      this.closed = true;
      this.closeCode = event.code;
    };
  }

  static open(url: string): Promise<FrameCollector> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const collector = new FrameCollector(socket);
      socket.onopen = () => resolve(collector);
      socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
  }

  /** The first frame (already received or coming) that matches; fails after `waitMs` wall time. */
  next(match: (frame: Wire) => boolean, waitMs = 2_000): Promise<Wire> {
    const seen = this.frames.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no matching frame")), waitMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  send(value: unknown): void {
    this.socket.send(JSON.stringify(value));
  }

  /** Resolves once the server has closed the connection. */
  async waitClosed(waitMs = 2_000): Promise<void> {
    const started = Date.now();
    while (!this.closed && Date.now() - started < waitMs) await Bun.sleep(5);
  }

  close(): void {
    this.socket.close();
  }
}

export type JsonType = "string" | "number" | "boolean" | "null" | "array" | "object";

export function jsonType(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as JsonType;
}

/**
 * The differences between a payload and a recorded fixture: keys missing from the payload,
 * keys the fixture does not have (unless listed in `extra`), and keys whose JSON type differs
 * (`nullable` keys may be null in either). Empty means same shape.
 */
export function shapeDifferences(
  actual: Record<string, unknown>,
  recorded: Record<string, unknown>,
  options: {
    extra?: readonly string[];
    nullable?: readonly string[];
    optional?: readonly string[];
  } = {},
): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(recorded)) {
    if (!(key in actual)) {
      if (!options.optional?.includes(key)) problems.push(`missing ${key}`);
      continue;
    }
    const want = jsonType(recorded[key]);
    const got = jsonType(actual[key]);
    const nullable = options.nullable?.includes(key) && (want === "null" || got === "null");
    if (want !== got && !nullable) problems.push(`${key}: ${got} instead of ${want}`);
  }
  for (const key of Object.keys(actual)) {
    if (!(key in recorded) && !options.extra?.includes(key)) problems.push(`extra ${key}`);
  }
  return problems;
}

/** Waits (wall time, bounded) for a condition that depends on I/O completing. */
export async function eventually(condition: () => boolean, waitMs = 2_000): Promise<boolean> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > waitMs) return false;
    await Bun.sleep(2);
  }
  return true;
}
