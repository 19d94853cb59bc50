// One REST request through Binance's gates, in order: IP ban, the fault plan (latency, 429,
// 418, 503, timeouts before arrival), parameters (-1100/-1101), request weight (429), API key
// (-2014/-2015), signature (-1022), timing (-1021), order-rate limits, the handler, then the
// fault plan's after-execution outcomes (503 "unknown", a response that never comes).

import type { Clock } from "../../../ports/clock.ts";
import type { FaultDecider, RequestDecision } from "../fault-plan.ts";
import { type ApiFailure, serviceUnavailable, unknownOutcome } from "./api-errors.ts";
import type { HeldResponses } from "./held-responses.ts";
import type { ListenKeys } from "./listen-keys.ts";
import type { RateLimits } from "./rate-limits.ts";
import {
  checkApiKey,
  checkTiming,
  type Credentials,
  restSignedPayload,
  signatureMatches,
} from "./request-auth.ts";
import { ParamReader, parseParams, type RequestParams } from "./request-params.ts";
import type { HandlerResult, Route } from "./route.ts";
import type { VenueState } from "./venue-state.ts";

export interface RestServices {
  readonly venue: VenueState;
  readonly credentials: Credentials;
  readonly clock: Clock;
  readonly limits: RateLimits;
  readonly faults: FaultDecider;
  readonly listenKeys: ListenKeys;
  readonly held: HeldResponses;
  /** Moves the venue to the clock's now and runs due stream work. */
  readonly tick: () => void;
  /** User-data frames sent so far. */
  readonly userFramesSent: () => number;
  /** Wall time an answer waits after its own user-data events went out. */
  readonly userEventLeadMs: number;
  readonly log: (message: string) => void;
}

const jsonHeaders = { "Content-Type": "application/json;charset=UTF-8" };

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...jsonHeaders, ...headers } });
}

export function failureResponse(
  failure: ApiFailure,
  headers: Readonly<Record<string, string>> = {},
): Response {
  const body = { code: failure.code, msg: failure.msg };
  return jsonResponse(failure.status, body, { ...headers, ...failure.headers });
}

/** Faults decided before the request reaches the venue; null lets it through. */
async function faultBefore(
  services: RestServices,
  route: Route,
  request: Request,
  decision: RequestDecision,
): Promise<Response | null> {
  const nowMs = services.clock.nowMs();
  switch (decision.fault) {
    case "BANNED":
      return failureResponse(services.limits.ban(route.market, nowMs, decision.retryAfterMs));
    case "RATE_LIMITED":
      return failureResponse(services.limits.limit(route.market, nowMs, decision.retryAfterMs));
    case "UNAVAILABLE":
      return failureResponse(serviceUnavailable());
    case "TIMEOUT_BEFORE_ARRIVAL":
      return services.held.hold(request);
    default:
      return null;
  }
}

function checkSecurity(
  services: RestServices,
  route: Route,
  request: Request,
  raw: { query: string; body: string },
  params: RequestParams,
): ApiFailure | null {
  if (route.security === "NONE") return null;
  const keyFailure = checkApiKey(request.headers.get("X-MBX-APIKEY"), services.credentials);
  if (keyFailure !== null || route.security === "API_KEY") return keyFailure;
  const timestamp = params.get("timestamp");
  if (timestamp === null) return { status: 400, code: -1102, msg: mandatoryText("timestamp") };
  const { payload, signature } = restSignedPayload(raw.query, raw.body);
  if (signature === null || signature === "") {
    return { status: 400, code: -1102, msg: mandatoryText("signature") };
  }
  if (!signatureMatches(services.credentials.apiSecret, payload, signature)) {
    return { status: 400, code: -1022, msg: "Signature for this request is not valid." };
  }
  return checkTiming(timestamp, params.get("recvWindow"), services.clock.nowMs());
}

function mandatoryText(name: string): string {
  return `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`;
}

/** Parameters, weight, security and order limits; the failure answer or the parsed params. */
function admit(
  services: RestServices,
  route: Route,
  request: Request,
  raw: { query: string; body: string },
): { failure: ApiFailure } | { params: RequestParams; weight: number } {
  const nowMs = services.clock.nowMs();
  const parsed = parseParams(raw.query, raw.body);
  if (!parsed.ok) {
    services.limits.addWeight(route.market, 1, nowMs);
    return { failure: parsed.failure };
  }
  const weight = route.weight(parsed.params);
  const limited = services.limits.addWeight(route.market, weight, nowMs);
  if (limited !== null) return { failure: limited };
  const insecure = checkSecurity(services, route, request, raw, parsed.params);
  if (insecure !== null) return { failure: insecure };
  if (route.kind === "PLACE") {
    const tooMany = services.limits.checkOrders(route.market, 1, nowMs);
    if (tooMany !== null) return { failure: tooMany };
  }
  return { params: parsed.params, weight };
}

function run(services: RestServices, route: Route, params: RequestParams): HandlerResult {
  const read = new ParamReader(params, route.market);
  return route.handle({
    venue: services.venue,
    read,
    nowMs: services.clock.nowMs(),
    listenKeys: services.listenKeys,
  });
}

function finish(
  services: RestServices,
  route: Route,
  weight: number,
  result: HandlerResult,
): Response {
  const nowMs = services.clock.nowMs();
  const { limits } = services;
  if (!result.ok) {
    return failureResponse(result.failure, limits.headers(route.market, nowMs, false));
  }
  if (result.ordersPlaced > 0) limits.addOrders(route.market, result.ordersPlaced, nowMs);
  const freeOnSuccess =
    route.market === "SPOT" && (route.kind === "PLACE" || route.kind === "CANCEL");
  if (freeOnSuccess) limits.refundWeight(route.market, weight);
  const withOrders = route.kind === "PLACE";
  return jsonResponse(200, result.body, limits.headers(route.market, nowMs, withOrders));
}

export async function handleRest(
  services: RestServices,
  route: Route,
  request: Request,
  url: URL,
): Promise<Response> {
  const raw = { query: url.search.startsWith("?") ? url.search.slice(1) : url.search, body: "" };
  raw.body = request.method === "GET" ? "" : await request.text();
  services.tick();
  const gate = services.limits.gate(route.market, services.clock.nowMs());
  if (gate !== null) return failureResponse(gate);
  const decision = services.faults.decideRequest(route.kind, services.clock.nowMs());
  if (decision.latencyMs > 0) await Bun.sleep(decision.latencyMs);
  const early = await faultBefore(services, route, request, decision);
  if (early !== null) return early;
  const admitted = admit(services, route, request, raw);
  if ("failure" in admitted) {
    const headers = services.limits.headers(route.market, services.clock.nowMs(), false);
    return failureResponse(admitted.failure, headers);
  }
  const framesBefore = services.userFramesSent();
  const result = run(services, route, admitted.params);
  // Binance's user stream usually reports an order no later than the REST answer: the events
  // this request caused are sent first, and the answer leaves a moment after them.
  if (services.userFramesSent() > framesBefore && services.userEventLeadMs > 0) {
    await Bun.sleep(services.userEventLeadMs);
  }
  if (decision.fault === "TIMEOUT_AFTER_EXECUTION") return services.held.hold(request);
  if (decision.fault === "UNKNOWN_AFTER_EXECUTION") return failureResponse(unknownOutcome());
  return finish(services, route, admitted.weight, result);
}
