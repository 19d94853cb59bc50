// A WebSocket that comes back: after any close it waits a bounded, jittered backoff on the
// injected clock and reconnects, until stopped. The socket itself comes from a factory so tests
// and other runtimes can supply their own; the default is Bun's built-in WebSocket client.

import type { Clock } from "../../ports/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Rng } from "../../ports/rng.ts";

/** The part of the browser WebSocket API the adapter uses. */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export const bunSocketFactory: SocketFactory = (url) => new WebSocket(url) as unknown as SocketLike;

export interface ReconnectPolicy {
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** A connection that lived this long resets the backoff to its first step. */
  readonly stableAfterMs: number;
}

export const defaultReconnectPolicy: ReconnectPolicy = {
  backoffBaseMs: 250,
  backoffMaxMs: 30_000,
  stableAfterMs: 60_000,
};

export interface ReconnectingSocketOptions {
  readonly name: string;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly policy: ReconnectPolicy;
  readonly factory: SocketFactory;
  /** The URL for the next connection; null means "not now" (back off and ask again). */
  readonly url: () => Promise<string | null>;
  readonly onOpen: (send: (text: string) => void) => void;
  readonly onText: (text: string) => void;
  /** Called once per lost connection (never for a stop). */
  readonly onDown: () => void;
}

export class ReconnectingSocket {
  private readonly options: ReconnectingSocketOptions;
  private socket: SocketLike | null = null;
  private generation = 0;
  private attempt = 0;
  private openedAtMs: number | null = null;
  private stopped = true;
  private connectCount = 0;

  constructor(options: ReconnectingSocketOptions) {
    this.options = options;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "stopped");
  }

  /** Drops the current connection; the usual backoff then brings a new one. */
  restart(reason: string): void {
    this.options.logger.info("binance stream restarting", { stream: this.options.name, reason });
    this.socket?.close(4000, reason);
  }

  isOpen(): boolean {
    return this.socket !== null && this.openedAtMs !== null;
  }

  /** How many connections have opened so far (1 after the first). */
  connections(): number {
    return this.connectCount;
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    let url: string | null = null;
    try {
      url = await this.options.url();
    } catch (error) {
      this.options.logger.warn("binance stream url failed", {
        stream: this.options.name,
        error: String(error),
      });
    }
    if (this.stopped || generation !== this.generation) return;
    if (url === null) return this.scheduleReconnect(generation);
    const socket = this.options.factory(url);
    this.socket = socket;
    this.openedAtMs = null;
    socket.onopen = () => this.handleOpen(generation, socket);
    socket.onmessage = (event) => {
      if (generation !== this.generation) return;
      this.options.onText(typeof event.data === "string" ? event.data : String(event.data));
    };
    socket.onclose = (event) => this.handleClose(generation, event.code, event.reason);
    socket.onerror = () => {};
  }

  private handleOpen(generation: number, socket: SocketLike): void {
    if (generation !== this.generation) return;
    this.openedAtMs = this.options.clock.nowMs();
    this.connectCount += 1;
    this.options.onOpen((text) => socket.send(text));
  }

  private handleClose(generation: number, code: number, reason: string): void {
    if (generation !== this.generation || this.stopped) return;
    const openedAtMs = this.openedAtMs;
    this.socket = null;
    this.openedAtMs = null;
    if (openedAtMs !== null) {
      const livedMs = this.options.clock.nowMs() - openedAtMs;
      if (livedMs >= this.options.policy.stableAfterMs) this.attempt = 0;
      this.options.logger.warn("binance stream closed", {
        stream: this.options.name,
        code,
        reason,
      });
      this.options.onDown();
    }
    this.scheduleReconnect(generation);
  }

  private scheduleReconnect(generation: number): void {
    const { policy, rng, clock } = this.options;
    const stepMs = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const delayMs = Math.round(stepMs * (0.5 + rng.nextFloat() / 2));
    void clock.sleepMs(delayMs).then(() => {
      if (this.stopped || generation !== this.generation) return;
      void this.connect();
    });
  }
}
