// One Binance REST call: gate (429/418), sign with a fresh timestamp, send, read headers, map
// failures through the error table. A -1021 resyncs the clock offset and re-signs once.
// Retries beyond that belong to the caller, which knows whether a resend is safe.

import type { Clock } from "../../ports/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import type { BinanceCredentials } from "./credentials.ts";
import { type MappedFailure, mapFailure, transportError } from "./errors.ts";
import type { LimitGroup, RateLimitTracker } from "./rate-limits.ts";
import { encodeParams, type HmacSigner, type Param } from "./signer.ts";
import type { BinanceUrls } from "./urls.ts";

export type Api = "SPOT" | "FUT" | "WALLET";
export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";
/** NONE: public; API_KEY: header only (listenKey); SIGNED: timestamp + recvWindow + signature. */
export type Security = "NONE" | "API_KEY" | "SIGNED";

export interface RestCall {
  readonly api: Api;
  readonly method: HttpMethod;
  readonly path: string;
  readonly params: readonly Param[];
  readonly security: Security;
}

/** When and how a signed request left; the basis of the unknown-outcome window. */
export interface SendInfo {
  /** Local clock time of the send. */
  readonly sentAtMs: number;
  /** The signed `timestamp` (server time estimate); null for unsigned calls. */
  readonly timestampMs: number | null;
  /** Local time after which the venue can no longer accept this request. */
  readonly windowEndMs: number;
}

export type RestResponse =
  | { readonly ok: true; readonly body: unknown; readonly sent: SendInfo }
  | {
      readonly ok: false;
      readonly failure: MappedFailure;
      /** Binance's code, for the few callers that read it (-2011 after a cancel). */
      readonly code: number | null;
      /** Null when nothing was sent (gate closed). */
      readonly sent: SendInfo | null;
    };

export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

export interface RestClientOptions {
  readonly urls: BinanceUrls;
  readonly credentials: BinanceCredentials;
  readonly signer: HmacSigner;
  readonly limits: RateLimitTracker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recvWindowMs: number;
  readonly requestTimeoutMs: number;
  /** Added to every receive window on top of the offset's own uncertainty. */
  readonly offsetMarginMs: number;
  readonly fetch?: FetchFunction;
}

interface TimeOffset {
  offsetMs: number;
  uncertaintyMs: number;
  syncedAtMs: number | null;
}

const timePaths: Record<LimitGroup, string> = { SPOT: "/api/v3/time", FUT: "/fapi/v1/time" };
/** Bodies longer than this are cut in logs and messages. */
const messageLengthMax = 300;

export class BinanceRestClient {
  private readonly options: RestClientOptions;
  private readonly fetchFunction: FetchFunction;
  private readonly offsets: Record<LimitGroup, TimeOffset> = {
    SPOT: { offsetMs: 0, uncertaintyMs: 0, syncedAtMs: null },
    FUT: { offsetMs: 0, uncertaintyMs: 0, syncedAtMs: null },
  };
  private lastTransportOk = true;

  constructor(options: RestClientOptions) {
    this.options = options;
    this.fetchFunction = options.fetch ?? ((url, init) => fetch(url, init));
  }

  /** Whether the latest call reached a Binance server (any HTTP answer counts). */
  reachable(): boolean {
    return this.lastTransportOk;
  }

  offset(group: LimitGroup): Readonly<TimeOffset> {
    return { ...this.offsets[group] };
  }

  /** Measures server time minus local time from one round trip (midpoint estimate). */
  async syncTime(group: LimitGroup): Promise<MappedFailure | null> {
    const { clock } = this.options;
    const startMs = clock.nowMs();
    const response = await this.send({
      api: group,
      method: "GET",
      path: timePaths[group],
      params: [],
      security: "NONE",
    });
    if (!response.ok) return response.failure;
    const endMs = clock.nowMs();
    const serverTime = (response.body as { serverTime?: unknown }).serverTime;
    if (typeof serverTime !== "number") {
      throw new Error(`Condition failed: ${timePaths[group]} answered without serverTime`);
    }
    const offset = this.offsets[group];
    offset.offsetMs = Math.round(serverTime - (startMs + endMs) / 2);
    offset.uncertaintyMs = Math.ceil((endMs - startMs) / 2);
    offset.syncedAtMs = endMs;
    return null;
  }

  /** Sends once (plus one re-signed resend after -1021). */
  async request(call: RestCall): Promise<RestResponse> {
    const first = await this.send(call);
    if (first.ok || !first.failure.resyncClock || call.security !== "SIGNED") return first;
    const group = limitGroup(call.api);
    this.options.logger.warn("binance timestamp outside recvWindow; resyncing clock offset", {
      path: call.path,
      offsetMs: this.offsets[group].offsetMs,
    });
    const syncFailure = await this.syncTime(group);
    if (syncFailure !== null) return first;
    return this.send(call);
  }

  private async send(call: RestCall): Promise<RestResponse> {
    const { clock, limits } = this.options;
    const group = limitGroup(call.api);
    const closed = limits.gate(group, clock.nowMs());
    if (closed !== null) {
      return {
        ok: false,
        failure: { error: closed, noChange: false, resyncClock: false, rule: "gate" },
        code: null,
        sent: null,
      };
    }
    const { url, sent, headers } = this.prepare(call);
    const controller = new AbortController();
    const timedOut = clock.sleepMs(this.options.requestTimeoutMs).then(() => "timeout" as const);
    const exchange = this.exchange(url, call.method, headers, controller.signal);
    const result = await Promise.race([exchange, timedOut]);
    if (result === "timeout") {
      controller.abort();
      this.lastTransportOk = false;
      return transportFailure("OUTCOME_UNKNOWN", `timeout on ${call.method} ${call.path}`, sent);
    }
    if (result.kind === "error") {
      this.lastTransportOk = false;
      return transportFailure(result.errorKind, `${result.detail} on ${call.path}`, sent);
    }
    this.lastTransportOk = true;
    return this.interpret(call, result.response, result.text, sent);
  }

  /** Builds the URL with a fresh timestamp and signature; parameters travel in the query. */
  private prepare(call: RestCall): { url: string; sent: SendInfo; headers: Headers } {
    const { clock, recvWindowMs, credentials, signer, offsetMarginMs } = this.options;
    const group = limitGroup(call.api);
    const headers = new Headers();
    if (call.security !== "NONE") headers.set("X-MBX-APIKEY", credentials.apiKey());
    const sentAtMs = clock.nowMs();
    const offset = this.offsets[group];
    const windowEndMs = sentAtMs + recvWindowMs + offsetMarginMs + offset.uncertaintyMs;
    let query = encodeParams(call.params);
    let timestampMs: number | null = null;
    if (call.security === "SIGNED") {
      timestampMs = Math.round(sentAtMs + offset.offsetMs);
      const timing = `recvWindow=${recvWindowMs}&timestamp=${timestampMs}`;
      query = query === "" ? timing : `${query}&${timing}`;
      query += `&signature=${signer.signRest(query)}`;
    }
    const root = rootFor(this.options.urls, call.api);
    const url = query === "" ? `${root}${call.path}` : `${root}${call.path}?${query}`;
    return { url, sent: { sentAtMs, timestampMs, windowEndMs }, headers };
  }

  private async exchange(
    url: string,
    method: HttpMethod,
    headers: Headers,
    signal: AbortSignal,
  ): Promise<
    | { kind: "response"; response: Response; text: string }
    | { kind: "error"; errorKind: "UNAVAILABLE" | "OUTCOME_UNKNOWN"; detail: string }
  > {
    try {
      const response = await this.fetchFunction(url, { method, headers, signal });
      const text = await response.text();
      return { kind: "response", response, text };
    } catch (error) {
      return { kind: "error", errorKind: classifyNetworkError(error), detail: describe(error) };
    }
  }

  private interpret(call: RestCall, response: Response, text: string, sent: SendInfo) {
    const { clock, limits, logger } = this.options;
    const group = limitGroup(call.api);
    const nowMs = clock.nowMs();
    limits.observeHeaders(group, response.headers, nowMs);
    const body = parseJson(text);
    if (response.status < 400) {
      if (body === undefined) {
        // The venue answered success but we cannot read it: what it did is unknown.
        return transportFailure("OUTCOME_UNKNOWN", `unreadable success body on ${call.path}`, sent);
      }
      return { ok: true as const, body, sent };
    }
    const { code, msg } = errorBody(body, text);
    const failure = mapFailure(
      {
        market: group,
        httpStatus: response.status,
        code,
        msg,
        retryAfterMs: retryAfterMs(response.headers),
      },
      nowMs,
    );
    // Only the venue's own stop signals (429, 418) close the gate; a -1015 order-rate refusal
    // must not hold back cancels and protective orders.
    if (response.status === 429 || response.status === 418) {
      limits.observeError(group, failure.error, nowMs);
    }
    if (!failure.noChange) {
      logger.warn("binance request failed", {
        method: call.method,
        path: call.path,
        status: response.status,
        code,
        rule: failure.rule,
        kind: failure.error.kind,
      });
    }
    return { ok: false as const, failure, code, sent };
  }
}

export function limitGroup(api: Api): LimitGroup {
  return api === "FUT" ? "FUT" : "SPOT";
}

function rootFor(urls: BinanceUrls, api: Api): string {
  if (api === "FUT") return urls.futuresRest;
  if (api === "WALLET") return urls.walletRest;
  return urls.spotRest;
}

function transportFailure(
  kind: "UNAVAILABLE" | "OUTCOME_UNKNOWN",
  detail: string,
  sent: SendInfo,
): RestResponse {
  return {
    ok: false,
    failure: {
      error: transportError(kind, detail),
      noChange: false,
      resyncClock: false,
      rule: kind === "UNAVAILABLE" ? "transport-not-sent" : "transport-unknown",
    },
    code: null,
    sent,
  };
}

/**
 * A refused or unresolvable connection means nothing was sent: a definite failure. Anything
 * else (reset, closed mid-response) may have reached the venue: the outcome is unknown.
 */
export function classifyNetworkError(error: unknown): "UNAVAILABLE" | "OUTCOME_UNKNOWN" {
  const code = (error as { code?: unknown } | null)?.code;
  const notSent = new Set([
    "ConnectionRefused",
    "ECONNREFUSED",
    "FailedToOpenSocket",
    "ENOTFOUND",
    "EAI_AGAIN",
    "UnableToConnect",
  ]);
  return typeof code === "string" && notSent.has(code) ? "UNAVAILABLE" : "OUTCOME_UNKNOWN";
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${code}: ${message}` : message;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorBody(body: unknown, text: string): { code: number | null; msg: string } {
  if (typeof body === "object" && body !== null) {
    const { code, msg } = body as { code?: unknown; msg?: unknown };
    const numeric = typeof code === "number" ? code : typeof code === "string" ? Number(code) : NaN;
    return {
      code: Number.isFinite(numeric) ? numeric : null,
      msg: typeof msg === "string" ? msg : "",
    };
  }
  return { code: null, msg: text.slice(0, messageLengthMax) };
}

function retryAfterMs(headers: Headers): number | null {
  const value = headers.get("retry-after");
  if (value === null) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null;
}
