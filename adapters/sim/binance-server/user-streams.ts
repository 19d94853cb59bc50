// User data on Binance's two channels. Spot: the WebSocket API at /ws-api/v3 (ping, time,
// userDataStream.subscribe.signature signed over sorted raw params, userDataStream.unsubscribe,
// session.subscriptions, session.status); events go out as {subscriptionId, event}. USDⓈ-M:
// /private/ws/<listenKey>, raw events, `listenKeyExpired` when the key runs out. The fault
// plan's event faults apply per event: duplicated, held back behind the next one, or the
// stream dropped (connections closed and refused for dropDurationMs).

import { add, neg, zero } from "../../../domain/decimal/index.ts";
import type { Market } from "../../../domain/instrument/index.ts";
import { defaultLeverage, type SimEvent, type SimPosition } from "../engine/index.ts";
import type { FaultDecider } from "../fault-plan.ts";
import { type ApiFailure, errors } from "./api-errors.ts";
import { money } from "./futures-views.ts";
import {
  checkApiKey,
  checkTiming,
  type Credentials,
  signatureMatches,
  webSocketPayload,
} from "./request-auth.ts";
import type { Json } from "./spot-views.ts";
import {
  type FuturesUserSession,
  type SimSocket,
  type SpotApiSession,
  sendText,
} from "./socket-data.ts";
import {
  accountConfigUpdate,
  accountUpdate,
  algoUpdate,
  executionReport,
  listStatus,
  orderTradeUpdate,
  spotBalanceEvents,
} from "./user-events.ts";
import type { VenueState } from "./venue-state.ts";

export const userSocketsMax = 1_000;
/** Binance: 1000 active subscriptions per session, 65535 over its lifetime. */
export const subscriptionsPerSessionMax = 1_000;
export const subscriptionsPerSessionLifetimeMax = 65_535;
/** A held-back event is delivered at the latest this long after it was held. */
export const heldEventMsMax = 1_000;

interface Held {
  readonly payloads: readonly Json[];
  readonly sinceMs: number;
}

export interface UserStreamsOptions {
  readonly venue: VenueState;
  readonly credentials: Credentials;
  readonly faults: FaultDecider;
  readonly nowMs: () => number;
  readonly rateLimits: readonly Json[];
}

export class UserStreams {
  private readonly options: UserStreamsOptions;
  private readonly spotSessions = new Set<SimSocket>();
  private readonly futuresSockets = new Set<SimSocket>();
  private readonly held: Record<Market, Held | null> = { SPOT: null, FUT: null };
  private readonly downUntilMs: Record<Market, number> = { SPOT: 0, FUT: 0 };
  private readonly positions = new Map<string, SimPosition>();
  private readonly leverages = new Map<string, number>();
  private framesSent = 0;

  constructor(options: UserStreamsOptions) {
    this.options = options;
  }

  /** User-data frames sent so far (lets a REST answer wait until its events are out). */
  sentCount(): number {
    return this.framesSent;
  }

  counts(): { readonly spotSessions: number; readonly futuresSockets: number } {
    return { spotSessions: this.spotSessions.size, futuresSockets: this.futuresSockets.size };
  }

  /** False while a dropped stream stays down. */
  canConnect(market: Market, nowMs: number): boolean {
    return nowMs >= this.downUntilMs[market] && this.total() < userSocketsMax;
  }

  private total(): number {
    return this.spotSessions.size + this.futuresSockets.size;
  }

  open(socket: SimSocket): void {
    if (socket.data.kind === "spot-api") this.spotSessions.add(socket);
    if (socket.data.kind === "futures-user") this.futuresSockets.add(socket);
  }

  close(socket: SimSocket): void {
    this.spotSessions.delete(socket);
    this.futuresSockets.delete(socket);
  }

  /** Closes the connections of a product (or both) and refuses new ones for `downMs`. */
  drop(market: Market | "ALL", nowMs: number, downMs: number): void {
    for (const which of market === "ALL" ? (["SPOT", "FUT"] as const) : [market]) {
      this.downUntilMs[which] = nowMs + downMs;
      this.held[which] = null;
      const sockets = which === "SPOT" ? this.spotSessions : this.futuresSockets;
      for (const socket of [...sockets]) socket.close(1001, "stream dropped");
    }
  }

  /** Venue reset: every session ends, caches clear. */
  reset(): void {
    this.drop("ALL", 0, 0);
    this.positions.clear();
    this.leverages.clear();
  }

  // ---- spot WebSocket API ----

  message(socket: SimSocket, session: SpotApiSession, text: string): void {
    let request: { id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      this.reply(socket, session, null, { status: 400, code: -1135, msg: "Invalid JSON Request" });
      return;
    }
    const id = request.id ?? null;
    const params = (
      typeof request.params === "object" && request.params !== null ? request.params : {}
    ) as Record<string, unknown>;
    const result = this.dispatch(session, String(request.method ?? ""), params);
    this.reply(socket, session, id, result);
  }

  private dispatch(session: SpotApiSession, method: string, params: Record<string, unknown>) {
    const nowMs = this.options.nowMs();
    switch (method) {
      case "ping":
        return { result: {} };
      case "time":
        return { result: { serverTime: nowMs } };
      case "userDataStream.subscribe.signature":
        return this.subscribe(session, params, nowMs);
      case "userDataStream.unsubscribe":
        return this.unsubscribe(session, params);
      case "session.subscriptions":
        return { result: session.subscriptions.map((subscriptionId) => ({ subscriptionId })) };
      case "session.status":
        return {
          result: {
            apiKey: null,
            authorizedSince: null,
            connectedSince: session.connectedMs,
            returnRateLimits: true,
            serverTime: nowMs,
            userDataStream: session.subscriptions.length > 0,
          },
        };
      default:
        return errors.unsupportedOperation();
    }
  }

  private subscribe(
    session: SpotApiSession,
    params: Record<string, unknown>,
    nowMs: number,
  ): { result: Json } | ApiFailure {
    const text = (name: string) => (params[name] === undefined ? null : String(params[name]));
    for (const name of ["apiKey", "timestamp", "signature"]) {
      if (text(name) === null || text(name) === "") return errors.mandatory(name);
    }
    const keyFailure = checkApiKey(text("apiKey"), this.options.credentials);
    if (keyFailure !== null) return keyFailure;
    const signed: Record<string, string> = {};
    for (const [name, value] of Object.entries(params)) signed[name] = String(value);
    const payload = webSocketPayload(signed);
    if (!signatureMatches(this.options.credentials.apiSecret, payload, text("signature")!)) {
      return errors.badSignature();
    }
    const timing = checkTiming(text("timestamp"), text("recvWindow"), nowMs);
    if (timing !== null) return timing;
    if (session.subscriptions.length > 0) return errors.subscriptionActive();
    if (session.subscriptionsStarted >= subscriptionsPerSessionLifetimeMax) {
      return {
        status: 400,
        code: -2042,
        msg: "Maximum subscription ID reached for this connection.",
      };
    }
    const subscriptionId = session.subscriptionsStarted;
    session.subscriptionsStarted += 1;
    session.subscriptions.push(subscriptionId);
    return { result: { subscriptionId } };
  }

  private unsubscribe(session: SpotApiSession, params: Record<string, unknown>) {
    if (session.subscriptions.length === 0) return errors.subscriptionInactive();
    const id = params["subscriptionId"];
    if (id === undefined) session.subscriptions.length = 0;
    else {
      const index = session.subscriptions.indexOf(Number(id));
      if (index >= 0) session.subscriptions.splice(index, 1);
    }
    return { result: {} };
  }

  private reply(
    socket: SimSocket,
    session: SpotApiSession,
    id: unknown,
    outcome: { result: unknown } | ApiFailure,
  ): void {
    session.weightUsed += 2;
    const rateLimits = this.options.rateLimits
      .filter((limit) => limit["rateLimitType"] === "REQUEST_WEIGHT")
      .map((limit) => ({ ...limit, count: session.weightUsed }));
    const body =
      "result" in outcome
        ? { id, status: 200, result: outcome.result, rateLimits }
        : {
            id,
            status: outcome.status,
            error: { code: outcome.code, msg: outcome.msg },
            rateLimits,
          };
    sendText(socket, JSON.stringify(body));
  }

  // ---- USDⓈ-M listenKey stream ----

  /** The listenKey ran out: tell its connections, then close them. */
  listenKeyExpired(key: string, expiredAtMs: number): void {
    const event = JSON.stringify({ e: "listenKeyExpired", E: expiredAtMs, listenKey: key });
    for (const socket of [...this.futuresSockets]) {
      if ((socket.data as FuturesUserSession).listenKey !== key) continue;
      sendText(socket, event);
      socket.close(1000, "listenKey expired");
    }
  }

  /** The listenKey was closed by DELETE: its connections end. */
  listenKeyClosed(key: string): void {
    for (const socket of [...this.futuresSockets]) {
      if ((socket.data as FuturesUserSession).listenKey === key) socket.close(1000, "closed");
    }
  }

  // ---- engine events ----

  onEngineEvent(event: SimEvent): void {
    const routed = this.translate(event);
    if (routed !== null) this.deliver(routed.market, routed.payloads);
  }

  private translate(event: SimEvent): { market: Market; payloads: Json[] } | null {
    const { venue } = this.options;
    switch (event.kind) {
      case "ORDER_UPDATE": {
        const market = event.order.market;
        const payload =
          market === "SPOT" ? executionReport(venue, event) : orderTradeUpdate(venue, event);
        return payload === null ? null : { market, payloads: [payload] };
      }
      case "ORDER_LIST_UPDATE":
        return { market: "SPOT", payloads: [listStatus(venue, event.list, event.tsMs)] };
      case "SPOT_BALANCE_UPDATE":
        return { market: "SPOT", payloads: spotBalanceEvents(event) };
      case "ALGO_UPDATE":
        return { market: "FUT", payloads: [algoUpdate(venue, event.algo, event.tsMs)] };
      case "FUTURES_ACCOUNT_UPDATE": {
        for (const position of event.positions) this.positions.set(position.symbol, position);
        const cross = this.crossWallet(event.walletBalance);
        return { market: "FUT", payloads: [accountUpdate(venue, event, cross)] };
      }
      case "FUTURES_CONFIG_UPDATE": {
        const before = this.leverages.get(event.symbol) ?? defaultLeverage;
        this.leverages.set(event.symbol, event.leverage);
        if (before === event.leverage) return null;
        const payload = accountConfigUpdate(event.symbol, event.leverage, event.tsMs);
        return { market: "FUT", payloads: [payload] };
      }
      default:
        return null;
    }
  }

  private crossWallet(wallet: SimPosition["qty"]): string {
    let isolated = zero;
    for (const position of this.positions.values()) {
      if (position.marginType === "ISOLATED") isolated = add(isolated, position.initialMargin);
    }
    return money(add(wallet, neg(isolated)));
  }

  private deliver(market: Market, payloads: readonly Json[]): void {
    const nowMs = this.options.nowMs();
    if (nowMs < this.downUntilMs[market] || !this.hasListeners(market)) return;
    const decision = this.options.faults.decideEvent();
    if (decision === "DROP_STREAM") {
      this.drop(market, nowMs, this.options.faults.plan().events.dropDurationMs);
      return;
    }
    if (decision === "HOLD" && this.held[market] === null) {
      this.held[market] = { payloads, sinceMs: nowMs };
      return;
    }
    this.send(market, payloads);
    if (decision === "DUPLICATE") this.send(market, payloads);
    this.releaseHeld(market);
  }

  private releaseHeld(market: Market): void {
    const held = this.held[market];
    this.held[market] = null;
    if (held !== null) this.send(market, held.payloads);
  }

  /** Delivers events held back longer than heldEventMsMax. */
  tick(nowMs: number): void {
    for (const market of ["SPOT", "FUT"] as const) {
      const held = this.held[market];
      if (held !== null && nowMs - held.sinceMs >= heldEventMsMax) this.releaseHeld(market);
    }
  }

  private hasListeners(market: Market): boolean {
    if (market === "FUT") return this.futuresSockets.size > 0;
    for (const socket of this.spotSessions) {
      if ((socket.data as SpotApiSession).subscriptions.length > 0) return true;
    }
    return false;
  }

  private send(market: Market, payloads: readonly Json[]): void {
    if (market === "FUT") {
      for (const payload of payloads) {
        const text = JSON.stringify(payload);
        for (const socket of this.futuresSockets) sendText(socket, text);
        this.framesSent += this.futuresSockets.size;
      }
      return;
    }
    for (const socket of this.spotSessions) {
      const session = socket.data as SpotApiSession;
      for (const subscriptionId of session.subscriptions) {
        for (const event of payloads) sendText(socket, JSON.stringify({ subscriptionId, event }));
        this.framesSent += payloads.length;
      }
    }
  }
}
