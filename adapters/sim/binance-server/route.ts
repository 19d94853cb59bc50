// One REST endpoint of the server: Binance's method and path, security type (NONE, API key
// only, or SIGNED), request weight, the fault-plan kind it belongs to, and a handler that turns
// parsed parameters into a Binance answer. Handlers never throw for a refusal: they return it.

import type { Market } from "../../../domain/instrument/index.ts";
import type { RequestKind } from "../fault-plan.ts";
import type { SimResult, SimSymbolSpec } from "../engine/index.ts";
import { type ApiFailure, errors } from "./api-errors.ts";
import { futuresPrecision } from "./exchange-info.ts";
import { FuturesFormat } from "./futures-views.ts";
import type { ListenKeys } from "./listen-keys.ts";
import { type Operation, rejectFailure } from "./reject-codes.ts";
import type { ParamReader, RequestParams } from "./request-params.ts";
import type { VenueState } from "./venue-state.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";
export type Security = "NONE" | "API_KEY" | "SIGNED";

export interface HandlerContext {
  readonly venue: VenueState;
  readonly read: ParamReader;
  readonly nowMs: number;
  readonly listenKeys: ListenKeys;
}

export type HandlerResult =
  | { readonly ok: true; readonly body: unknown; readonly ordersPlaced: number }
  | { readonly ok: false; readonly failure: ApiFailure };

export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  /** Rate-limit group and error dialect: spot (incl. /sapi) or USDⓈ-M. */
  readonly market: Market;
  readonly security: Security;
  readonly kind: RequestKind;
  /** Request weight; a successful order request may cost 0 (spot since 2026-04-02). */
  readonly weight: (params: RequestParams) => number;
  readonly handle: (context: HandlerContext) => HandlerResult;
}

export function answer(body: unknown, ordersPlaced = 0): HandlerResult {
  return { ok: true, body, ordersPlaced };
}

export function refuse(failure: ApiFailure): HandlerResult {
  return { ok: false, failure };
}

/** The reader's first failure as an answer, or null when every read so far succeeded. */
export function invalid(read: ParamReader): HandlerResult | null {
  return read.failure === null ? null : refuse(read.failure);
}

/** A builder of one market's routes: method, path, kind, weight, handler; SIGNED unless told. */
export const routeOn =
  (market: Market) =>
  (
    method: HttpMethod,
    path: string,
    kind: RequestKind,
    cost: (params: RequestParams) => number,
    handle: (context: HandlerContext) => HandlerResult,
    security: Security = "SIGNED",
  ): Route => ({ method, path, market, security, kind, weight: cost, handle });

/** A fixed weight. */
export const weight =
  (value: number) =>
  (_params: RequestParams): number =>
    value;

/** A weight that depends on whether `symbol` was sent: one symbol, or every symbol. */
export const bySymbol =
  (single: number, all: number) =>
  (params: RequestParams): number =>
    params.has("symbol") ? single : all;

/** The spec of the mandatory `symbol` parameter on `market`; -1121 when unknown. */
export function symbolSpec(context: HandlerContext, market: Market): SimSymbolSpec | null {
  const name = context.read.required("symbol");
  if (context.read.failure !== null) return null;
  const spec = context.venue.engine.spec(market, name);
  if (spec === null) context.read.fail(errors.invalidSymbol());
  return spec;
}

/** The optional `symbol` parameter: null when absent; -1121 when unknown. */
export function optionalSymbol(context: HandlerContext, market: Market): string | null {
  const name = context.read.text("symbol");
  if (name === null) return null;
  if (context.venue.engine.spec(market, name) === null) context.read.fail(errors.invalidSymbol());
  return name;
}

/** Every symbol the venue lists on `market`, in the venue's order. */
export function symbolsOf(context: HandlerContext, market: Market): string[] {
  return context.venue.engine
    .symbolSpecs()
    .filter((spec) => spec.rules.market === market)
    .map((spec) => spec.rules.symbol);
}

/** An engine result as a Binance answer. */
export function fromEngine<T>(
  market: Market,
  result: SimResult<T>,
  operation: Operation,
  spec: SimSymbolSpec | null,
  body: (value: T) => unknown,
  ordersPlaced = 0,
): HandlerResult {
  if (!result.ok) return refuse(rejectFailure(market, result.reject, operation, spec));
  return answer(body(result.value), ordersPlaced);
}

const formats = new Map<string, FuturesFormat>();

/** The futures wire format of a symbol (cached per symbol). */
export function futuresFormat(venue: VenueState, symbol: string): FuturesFormat {
  let format = formats.get(symbol);
  if (format === undefined) {
    const spec = venue.engine.spec("FUT", symbol);
    if (spec === null) throw new Error(`Condition failed: no futures symbol ${symbol}`);
    format = new FuturesFormat(futuresPrecision(spec.rules));
    formats.set(symbol, format);
  }
  return format;
}
