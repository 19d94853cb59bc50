// Futures user data through a listenKey: POST creates it, PUT keeps it alive every ~30 min on
// the injected clock, the stream is /private/ws/<listenKey>. A -1125 on keep-alive or a
// listenKeyExpired event re-creates the key and reconnects.

import type { Clock } from "../../ports/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import { futuresListenKey } from "./futures-requests.ts";
import { type PositionContext, parseFuturesUserMessage } from "./parse-events.ts";
import type { ReconnectingSocket } from "./reconnecting-socket.ts";
import type { BinanceRestClient } from "./rest-client.ts";
import type { StreamHandlers } from "./spot-user-stream.ts";
import { futuresUserStreamUrl, type BinanceUrls } from "./urls.ts";
import { WireError } from "./wire.ts";

export const listenKeyKeepAliveMs = 30 * 60 * 1000;
const listenKeyMissingCode = -1125;

export interface FuturesUserStreamOptions {
  readonly urls: BinanceUrls;
  readonly rest: BinanceRestClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly context: PositionContext;
  readonly keepAliveMs: number;
  readonly handlers: StreamHandlers;
}

export class FuturesUserStream {
  private readonly options: FuturesUserStreamOptions;
  private socket: ReconnectingSocket | null = null;
  private listenKey: string | null = null;
  private up = false;
  private everUp = false;
  private running = false;

  constructor(options: FuturesUserStreamOptions) {
    this.options = options;
  }

  attach(socket: ReconnectingSocket): void {
    this.socket = socket;
  }

  isUp(): boolean {
    return this.up;
  }

  currentListenKey(): string | null {
    return this.listenKey;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.keepAliveLoop();
  }

  stop(): void {
    this.running = false;
  }

  /** The URL of the next connection: creates a listenKey when there is none. */
  async url(): Promise<string | null> {
    if (this.listenKey === null) {
      const response = await this.options.rest.request(futuresListenKey("POST"));
      const key = response.ok ? (response.body as { listenKey?: unknown }).listenKey : undefined;
      if (typeof key !== "string" || key === "") return null;
      this.listenKey = key;
    }
    return futuresUserStreamUrl(this.options.urls, this.listenKey);
  }

  handleOpen(): void {
    this.up = true;
    const resumed = this.everUp;
    this.everUp = true;
    this.options.handlers.onUp(resumed);
  }

  handleDown(): void {
    if (!this.up) return;
    this.up = false;
    this.options.handlers.onDown();
  }

  handleText(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
      const message = parseFuturesUserMessage(raw, this.options.context);
      if (message.kind === "control") {
        if (message.control === "LISTEN_KEY_EXPIRED") this.listenKey = null;
        this.socket?.restart(message.control);
        return;
      }
      this.options.handlers.onMessage(message);
    } catch (error) {
      if (!(error instanceof WireError) && !(error instanceof SyntaxError)) throw error;
      this.options.logger.error("binance futures user event unreadable", {
        error: String(error),
      });
    }
  }

  private async keepAliveLoop(): Promise<void> {
    while (this.running) {
      await this.options.clock.sleepMs(this.options.keepAliveMs);
      if (!this.running) return;
      if (this.listenKey === null) continue;
      const response = await this.options.rest.request(futuresListenKey("PUT"));
      if (response.ok) continue;
      if (response.code === listenKeyMissingCode) {
        this.options.logger.warn("binance listenKey gone; re-creating", {});
        this.listenKey = null;
        this.socket?.restart("listenKey expired");
      }
    }
  }
}
