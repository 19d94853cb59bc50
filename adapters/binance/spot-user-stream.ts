// Spot user data through the WebSocket API: `userDataStream.subscribe.signature` (HMAC over the
// sorted raw params) on every connection; events arrive as {subscriptionId, event}. A refused
// subscription, eventStreamTerminated or serverShutdown drops the connection to reconnect.

import type { Logger } from "../../ports/logger.ts";
import type { BinanceCredentials } from "./credentials.ts";
import { type ParsedMessage, parseSpotUserMessage } from "./parse-events.ts";
import type { ReconnectingSocket } from "./reconnecting-socket.ts";
import type { HmacSigner } from "./signer.ts";
import { WireError } from "./wire.ts";

export interface StreamHandlers {
  readonly onMessage: (message: ParsedMessage) => void;
  /** `resumed` is true for every connection after the first: something may have been missed. */
  readonly onUp: (resumed: boolean) => void;
  readonly onDown: () => void;
}

export interface SpotUserStreamOptions {
  readonly credentials: BinanceCredentials;
  readonly signer: HmacSigner;
  readonly logger: Logger;
  readonly recvWindowMs: number;
  /** Server-time estimate for the signed timestamp. */
  readonly timestampMs: () => number;
  readonly handlers: StreamHandlers;
}

export const subscribeMethod = "userDataStream.subscribe.signature";

/** The signed subscribe request for one connection. */
export function subscribeRequest(
  requestId: string,
  credentials: BinanceCredentials,
  signer: HmacSigner,
  timestampMs: number,
  recvWindowMs: number,
): string {
  const params: Record<string, string> = {
    apiKey: credentials.apiKey(),
    recvWindow: String(recvWindowMs),
    timestamp: String(timestampMs),
  };
  const signature = signer.signWebSocket(params);
  return JSON.stringify({
    id: requestId,
    method: subscribeMethod,
    params: { ...params, signature },
  });
}

export class SpotUserStream {
  private readonly options: SpotUserStreamOptions;
  private socket: ReconnectingSocket | null = null;
  private pendingId: string | null = null;
  private requestCount = 0;
  private subscribed = false;
  private everSubscribed = false;

  constructor(options: SpotUserStreamOptions) {
    this.options = options;
  }

  attach(socket: ReconnectingSocket): void {
    this.socket = socket;
  }

  isUp(): boolean {
    return this.subscribed;
  }

  handleOpen(send: (text: string) => void): void {
    const { credentials, signer, recvWindowMs, timestampMs } = this.options;
    this.requestCount += 1;
    this.pendingId = `s4-uds-${this.requestCount}`;
    send(subscribeRequest(this.pendingId, credentials, signer, timestampMs(), recvWindowMs));
  }

  handleDown(): void {
    this.pendingId = null;
    if (!this.subscribed) return;
    this.subscribed = false;
    this.options.handlers.onDown();
  }

  handleText(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.options.logger.warn("binance spot user stream: unreadable frame", {});
      return;
    }
    const frame = raw as { id?: unknown; status?: unknown; error?: unknown };
    if (frame.id !== undefined && frame.status !== undefined) {
      this.handleResponse(frame);
      return;
    }
    try {
      const message = parseSpotUserMessage(raw);
      if (message.kind === "control") {
        this.socket?.restart(message.control);
        return;
      }
      this.options.handlers.onMessage(message);
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      this.options.logger.error("binance spot user event unreadable", { error: error.message });
    }
  }

  private handleResponse(frame: { id?: unknown; status?: unknown; error?: unknown }): void {
    if (frame.id !== this.pendingId) return;
    this.pendingId = null;
    if (frame.status !== 200) {
      this.options.logger.error("binance spot user stream subscription refused", {
        status: frame.status,
        error: JSON.stringify(frame.error ?? null),
      });
      this.socket?.restart("subscription refused");
      return;
    }
    this.subscribed = true;
    const resumed = this.everSubscribed;
    this.everSubscribed = true;
    this.options.handlers.onUp(resumed);
  }
}
