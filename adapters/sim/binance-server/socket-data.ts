// What the server remembers per WebSocket connection, by kind: a spot WebSocket-API session,
// a USDⓈ-M user-data stream on a listenKey, or a market-stream connection.

import type { ServerWebSocket } from "bun";

export type MarketProduct = "SPOT" | "FUT_PUBLIC" | "FUT_MARKET";

export interface SpotApiSession {
  readonly kind: "spot-api";
  /** Active subscription ids (one account, so at most one). */
  readonly subscriptions: number[];
  /** Subscriptions started on this connection so far (ids are 0, 1, 2, ...). */
  subscriptionsStarted: number;
  readonly connectedMs: number;
  weightUsed: number;
}

export interface FuturesUserSession {
  readonly kind: "futures-user";
  readonly listenKey: string;
}

export interface MarketSession {
  readonly kind: "market";
  readonly product: MarketProduct;
  /** /stream?streams=… wraps payloads as {stream, data}; /ws/<stream> sends them raw. */
  readonly combined: boolean;
  readonly streams: Set<string>;
}

export type SocketData = SpotApiSession | FuturesUserSession | MarketSession;
export type SimSocket = ServerWebSocket<SocketData>;

/** Sends when the socket is open; a closed socket is skipped (its close handler cleans up). */
export function sendText(socket: SimSocket, text: string): void {
  if (socket.readyState === 1) socket.send(text);
}
