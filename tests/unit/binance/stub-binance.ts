// A small Binance-shaped server for adapter tests: routes by method and path over real HTTP,
// WebSocket endpoints by path, request recording and HMAC verification. Binds port 0.

import type { Server, ServerWebSocket } from "bun";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

export interface StubRequest {
  readonly method: string;
  readonly path: string;
  /** The raw (still percent-encoded) query string, as received. */
  readonly query: string;
  readonly params: URLSearchParams;
  readonly apiKey: string | null;
}

export type StubReply =
  | { readonly status?: number; readonly body: unknown; readonly headers?: Record<string, string> }
  /** Never answers (the client's timeout decides). */
  | "hang";

export type StubHandler = (request: StubRequest) => StubReply | Promise<StubReply>;

export interface SocketData {
  readonly path: string;
  readonly search: string;
}

export type StubSocket = ServerWebSocket<SocketData>;

export interface SocketHandlers {
  open?(socket: StubSocket): void;
  message?(socket: StubSocket, text: string): void;
  close?(socket: StubSocket): void;
}

export const testKey = "stub-api-key-0001";
export const testSecret = "stub-api-secret-0001";

export function hmacHex(secret: string, payload: string): string {
  const bytes = hmac(sha256, new TextEncoder().encode(secret), new TextEncoder().encode(payload));
  return Buffer.from(bytes).toString("hex");
}

/** Checks `signature` against the raw query that precedes it, as Binance does. */
export function signatureValid(request: StubRequest, secret = testSecret): boolean {
  const marker = "&signature=";
  const at = request.query.lastIndexOf(marker);
  if (at < 0) return false;
  const payload = request.query.slice(0, at);
  return hmacHex(secret, payload) === request.query.slice(at + marker.length);
}

export class StubBinance {
  readonly requests: StubRequest[] = [];
  readonly sockets = new Set<StubSocket>();
  private readonly routes = new Map<string, StubHandler>();
  private readonly socketRoutes = new Map<string, SocketHandlers>();
  private readonly server: Server<SocketData>;

  constructor() {
    this.server = Bun.serve<SocketData>({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (request, server) => this.handle(request, server),
      websocket: {
        open: (socket) => {
          this.sockets.add(socket);
          this.socketRoute(socket)?.open?.(socket);
        },
        message: (socket, message) => {
          this.socketRoute(socket)?.message?.(socket, String(message));
        },
        close: (socket) => {
          this.sockets.delete(socket);
          this.socketRoute(socket)?.close?.(socket);
        },
      },
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  route(method: string, path: string, handler: StubHandler): this {
    this.routes.set(`${method} ${path}`, handler);
    return this;
  }

  /** WebSocket endpoint; a path ending in "/*" matches any suffix. */
  socketRoute(socketOrPath: StubSocket): SocketHandlers | undefined;
  socketRoute(socketOrPath: string, handlers: SocketHandlers): this;
  socketRoute(socketOrPath: string | StubSocket, handlers?: SocketHandlers) {
    if (typeof socketOrPath === "string") {
      this.socketRoutes.set(socketOrPath, handlers ?? {});
      return this;
    }
    const path = socketOrPath.data.path;
    for (const [pattern, found] of this.socketRoutes) {
      if (pattern === path) return found;
      if (pattern.endsWith("/*") && path.startsWith(pattern.slice(0, -1))) return found;
    }
    return undefined;
  }

  calls(method: string, path: string): StubRequest[] {
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  stop(): void {
    for (const socket of this.sockets) socket.close();
    this.server.stop(true);
  }

  private async handle(request: Request, server: Server<SocketData>): Promise<Response> {
    const url = new URL(request.url);
    if (request.headers.get("upgrade") === "websocket") {
      const upgraded = server.upgrade(request, {
        data: { path: url.pathname, search: url.search },
      });
      return upgraded ? (undefined as unknown as Response) : new Response("no", { status: 400 });
    }
    const query = url.search.startsWith("?") ? url.search.slice(1) : url.search;
    const recorded: StubRequest = {
      method: request.method,
      path: url.pathname,
      query,
      params: new URLSearchParams(query),
      apiKey: request.headers.get("x-mbx-apikey"),
    };
    this.requests.push(recorded);
    const handler = this.routes.get(`${request.method} ${url.pathname}`);
    if (handler === undefined)
      return json(404, { code: -1000, msg: `no stub for ${url.pathname}` });
    const reply = await handler(recorded);
    if (reply === "hang") return new Promise<Response>(() => {});
    return json(reply.status ?? 200, reply.body, reply.headers);
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/**
 * A fetch whose request reaches the server but whose answer is lost, as when a connection
 * drops after sending: the error carries Bun's ECONNRESET code.
 */
export function droppingFetch(drop: (url: string, init: RequestInit) => boolean) {
  return async (url: string, init: RequestInit): Promise<Response> => {
    const response = await fetch(url, init);
    if (!drop(url, init)) return response;
    await response.text();
    throw Object.assign(
      new TypeError("ECONNRESET: The socket connection was closed unexpectedly"),
      {
        code: "ECONNRESET",
      },
    );
  };
}

/** Waits for real I/O (sockets, HTTP) to land; not a timing assertion. */
export async function eventually(condition: () => boolean, limitMs = 3_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error("condition not met in time");
    await Bun.sleep(2);
  }
}

export const silentLogger = {
  info() {},
  warn() {},
  error() {},
};

/** A logger that keeps what it was given, to prove secrets never reach it. */
export function recordingLogger() {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, info: record("info"), warn: record("warn"), error: record("error") };
}

/**
 * Lets real I/O progress while moving a manual clock forward in steps until `work` settles:
 * the adapter's waits run on the manual clock, the sockets on real time.
 */
export async function drive<T>(
  clock: { advanceMs(ms: number): Promise<void> },
  work: Promise<T>,
  stepMs = 100,
  stepsMax = 2_000,
): Promise<T> {
  let settled = false;
  const watched = work.finally(() => {
    settled = true;
  });
  for (let step = 0; step < stepsMax && !settled; step += 1) {
    await Bun.sleep(1);
    if (!settled) await clock.advanceMs(stepMs);
  }
  return watched;
}

/** Spot order object as /api/v3/order answers it (RESULT/FULL shape). */
export function spotOrderBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    symbol: "BTCUSDT",
    orderId: 1001,
    orderListId: -1,
    clientOrderId: "intent-1",
    transactTime: 1_700_000_000_000,
    price: "50000.00000000",
    origQty: "0.01000000",
    executedQty: "0.00000000",
    origQuoteOrderQty: "0.00000000",
    cummulativeQuoteQty: "0.00000000",
    status: "NEW",
    timeInForce: "GTC",
    type: "LIMIT",
    side: "BUY",
    workingTime: 1_700_000_000_000,
    selfTradePreventionMode: "EXPIRE_MAKER",
    fills: [],
    ...fields,
  };
}

/** Futures order object as /fapi/v1/order answers it. */
export function futuresOrderBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId: 2001,
    symbol: "BTCUSDT",
    status: "NEW",
    clientOrderId: "intent-2",
    price: "50000.00",
    avgPrice: "0.00",
    origQty: "0.010",
    executedQty: "0.000",
    cumQuote: "0.00000",
    timeInForce: "GTC",
    type: "LIMIT",
    reduceOnly: false,
    closePosition: false,
    side: "BUY",
    positionSide: "BOTH",
    stopPrice: "0.00",
    workingType: "CONTRACT_PRICE",
    priceProtect: false,
    origType: "LIMIT",
    priceMatch: "NONE",
    selfTradePreventionMode: "EXPIRE_MAKER",
    goodTillDate: 0,
    updateTime: 1_700_000_000_000,
    ...fields,
  };
}

/** Advances a manual clock in steps, letting real I/O run between them, until `condition`. */
export async function advanceUntil(
  clock: { advanceMs(ms: number): Promise<void> },
  condition: () => boolean,
  stepMs: number,
  stepsMax = 500,
): Promise<void> {
  for (let step = 0; step < stepsMax; step += 1) {
    if (condition()) return;
    await Bun.sleep(2);
    await clock.advanceMs(stepMs);
  }
  if (!condition()) throw new Error("condition not met while advancing the clock");
}
