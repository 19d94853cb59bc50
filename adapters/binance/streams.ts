// The adapter's WebSocket side: spot user data (WebSocket API), futures user data (listenKey)
// and market streams, each a reconnecting socket. Every (re)connection is announced as
// STREAM_STATE; a user stream that comes back triggers a re-query so no fill stays missed.

import type { Market } from "../../domain/instrument/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Balance, ExchangeEvent, ExchangeResult } from "../../ports/exchange-gateway.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Rng } from "../../ports/rng.ts";
import type { FuturesSymbolState } from "./account-operations.ts";
import type { BinanceCredentials } from "./credentials.ts";
import { FuturesUserStream } from "./futures-user-stream.ts";
import { marketStreamPlans, readMarketFrame } from "./market-stream.ts";
import type { ParsedMessage } from "./parse-events.ts";
import {
  type ReconnectPolicy,
  ReconnectingSocket,
  type SocketFactory,
} from "./reconnecting-socket.ts";
import type { BinanceRestClient } from "./rest-client.ts";
import type { HmacSigner } from "./signer.ts";
import { SpotUserStream, type StreamHandlers } from "./spot-user-stream.ts";
import type { BinanceUrls } from "./urls.ts";

export interface StreamsOptions {
  readonly urls: BinanceUrls;
  readonly credentials: BinanceCredentials;
  readonly signer: HmacSigner;
  readonly rest: BinanceRestClient;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly recvWindowMs: number;
  readonly reconnect: ReconnectPolicy;
  readonly factory: SocketFactory;
  readonly keepAliveMs: number;
  readonly markets: readonly Market[];
  readonly userStreams: boolean;
  readonly spotSymbols: readonly string[];
  readonly futuresSymbols: readonly string[];
  readonly futuresState: FuturesSymbolState;
  readonly emit: (event: ExchangeEvent) => void;
  /** Re-queries open and in-flight orders of a market after its user stream came back. */
  readonly resync: (market: Market) => Promise<void>;
  readonly spotBalance: (asset: string) => Promise<ExchangeResult<Balance>>;
}

export class BinanceStreams {
  private readonly options: StreamsOptions;
  private readonly sockets: ReconnectingSocket[] = [];
  private spotUser: SpotUserStream | null = null;
  private futuresUser: FuturesUserStream | null = null;

  constructor(options: StreamsOptions) {
    this.options = options;
    if (options.userStreams && options.markets.includes("SPOT")) this.buildSpotUser();
    if (options.userStreams && options.markets.includes("FUT")) this.buildFuturesUser();
    this.buildMarketStreams();
  }

  start(): void {
    for (const socket of this.sockets) socket.start();
    this.futuresUser?.start();
  }

  stop(): void {
    this.futuresUser?.stop();
    for (const socket of this.sockets) socket.stop();
  }

  /** True when every user stream asked for is subscribed (false when none is). */
  userConnected(): boolean {
    const streams = [this.spotUser, this.futuresUser].filter((stream) => stream !== null);
    return streams.length > 0 && streams.every((stream) => stream.isUp());
  }

  futuresListenKey(): string | null {
    return this.futuresUser?.currentListenKey() ?? null;
  }

  private socket(
    name: string,
    url: () => Promise<string | null>,
    handlers: Pick<
      ConstructorParameters<typeof ReconnectingSocket>[0],
      "onOpen" | "onText" | "onDown"
    >,
  ): ReconnectingSocket {
    const { clock, rng, logger, reconnect, factory } = this.options;
    const socket = new ReconnectingSocket({
      name,
      clock,
      rng,
      logger,
      policy: reconnect,
      factory,
      url,
      ...handlers,
    });
    this.sockets.push(socket);
    return socket;
  }

  private userHandlers(market: Market): StreamHandlers {
    const { emit, clock, resync, logger } = this.options;
    const state = (connected: boolean) =>
      emit({ kind: "STREAM_STATE", stream: "USER", connected, tsMs: clock.nowMs() });
    return {
      onMessage: (message) => this.handleUserMessage(message),
      onUp: (resumed) => {
        state(true);
        if (!resumed) return;
        resync(market).catch((error: unknown) =>
          logger.error("binance resync after reconnect failed", { market, error: String(error) }),
        );
      },
      onDown: () => state(false),
    };
  }

  private handleUserMessage(message: ParsedMessage): void {
    const { emit, spotBalance, clock } = this.options;
    if (message.kind === "event") {
      emit(message.event);
      return;
    }
    if (message.kind !== "balance_changed") return;
    void spotBalance(message.asset).then((balance) => {
      if (!balance.ok) return;
      emit({
        kind: "ACCOUNT_UPDATE",
        market: "SPOT",
        balances: [balance.value],
        positions: [],
        tsMs: clock.nowMs(),
      });
    });
  }

  private buildSpotUser(): void {
    const { credentials, signer, logger, recvWindowMs, clock, rest, urls } = this.options;
    const stream = new SpotUserStream({
      credentials,
      signer,
      logger,
      recvWindowMs,
      timestampMs: () => Math.round(clock.nowMs() + rest.offset("SPOT").offsetMs),
      handlers: this.userHandlers("SPOT"),
    });
    const socket = this.socket("spot-user", async () => urls.spotWebSocketApi, {
      onOpen: (send) => stream.handleOpen(send),
      onText: (text) => stream.handleText(text),
      onDown: () => stream.handleDown(),
    });
    stream.attach(socket);
    this.spotUser = stream;
  }

  private buildFuturesUser(): void {
    const { urls, rest, clock, logger, futuresState, keepAliveMs } = this.options;
    const stream = new FuturesUserStream({
      urls,
      rest,
      clock,
      logger,
      context: futuresState,
      keepAliveMs,
      handlers: this.userHandlers("FUT"),
    });
    const socket = this.socket("futures-user", () => stream.url(), {
      onOpen: () => stream.handleOpen(),
      onText: (text) => stream.handleText(text),
      onDown: () => stream.handleDown(),
    });
    stream.attach(socket);
    this.futuresUser = stream;
  }

  private buildMarketStreams(): void {
    const { urls, markets, spotSymbols, futuresSymbols, emit, clock, logger, futuresState } =
      this.options;
    const plans = marketStreamPlans(
      urls,
      markets.includes("SPOT") ? spotSymbols : [],
      markets.includes("FUT") ? futuresSymbols : [],
    );
    const state = (connected: boolean) =>
      emit({ kind: "STREAM_STATE", stream: "MARKET", connected, tsMs: clock.nowMs() });
    for (const plan of plans) {
      this.socket(plan.name, async () => plan.url, {
        onOpen: () => state(true),
        onDown: () => state(false),
        onText: (text) => {
          const message = readMarketFrame(plan.market, text, clock, logger);
          if (message?.kind !== "event") return;
          if (message.event.kind === "MARK_PRICE") {
            futuresState.setMark(message.event.symbol, message.event.markPrice);
          }
          emit(message.event);
        },
      });
    }
  }
}
