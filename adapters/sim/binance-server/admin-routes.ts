// The admin path (/__admin/…), which Binance does not have: state, fault plan, a manual clock,
// scripted prices, reset and stream drops, for tests and drivers. Bodies and answers are JSON.
//
//   GET  /__admin/state               now, seed, scenario, listenKey, sessions, held responses,
//                                     ban, spot balances, futures wallet and positions
//   GET  /__admin/fault-plan          the plan in force
//   POST /__admin/fault-plan          {…partial FaultPlan} replaces it (unset fields: no fault)
//   POST /__admin/fault-plan/inject   {"faults":[{"kind":"PLACE","fault":"UNKNOWN_AFTER_EXECUTION"}]}
//   POST /__admin/advance             {"ms":1000} moves a manual clock (409 with a system clock)
//   POST /__admin/mid                 {"symbol":"BTCUSDT","price":"94000"} jumps the mid price
//   POST /__admin/reset               {"seed"?,"scenario"?} a fresh venue and account
//   POST /__admin/drop-streams        {"market":"SPOT"|"FUT"|"ALL","downMs"?:0,"marketStreams"?:true}

import { formatDecimal, parseDecimal } from "../../../domain/decimal/index.ts";
import { isScenarioName, type ScenarioName } from "../engine/index.ts";
import type { FaultDecider } from "../fault-plan.ts";
import { faultPlanFrom, scriptFrom } from "./fault-plan-json.ts";
import { jsonResponse } from "./rest-handler.ts";

export const adminPath = "/__admin";

export interface AdminServices {
  readonly faults: FaultDecider;
  state(): Record<string, unknown>;
  /** Moves a manual clock; false when the clock is not manual. */
  advance(ms: number): Promise<boolean>;
  setMid(symbol: string, price: string): string | null;
  reset(seed: number | null, scenario: ScenarioName | null): void;
  drop(market: "SPOT" | "FUT" | "ALL", downMs: number, marketStreams: boolean): void;
}

function problem(status: number, message: string): Response {
  return jsonResponse(status, { error: message });
}

async function bodyOf(request: Request): Promise<Record<string, unknown> | null> {
  const text = await request.text();
  if (text.trim() === "") return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function advance(services: AdminServices, body: Record<string, unknown>) {
  const ms = body["ms"];
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    return problem(400, "ms must be a number >= 0");
  }
  if (!(await services.advance(ms))) return problem(409, "the server runs on a system clock");
  return jsonResponse(200, services.state());
}

function mid(services: AdminServices, body: Record<string, unknown>): Response {
  const symbol = body["symbol"];
  const price = String(body["price"] ?? "");
  const parsed = parseDecimal(price);
  if (typeof symbol !== "string" || !parsed.ok || parsed.value.units <= 0n) {
    return problem(400, "symbol (string) and price (positive decimal) are required");
  }
  const failed = services.setMid(symbol, formatDecimal(parsed.value));
  return failed === null ? jsonResponse(200, { symbol, price }) : problem(400, failed);
}

function reset(services: AdminServices, body: Record<string, unknown>): Response {
  const seed = body["seed"];
  const scenario = body["scenario"];
  if (seed !== undefined && (typeof seed !== "number" || !Number.isInteger(seed))) {
    return problem(400, "seed must be an integer");
  }
  if (scenario !== undefined && (typeof scenario !== "string" || !isScenarioName(scenario))) {
    return problem(400, "unknown scenario");
  }
  services.reset(seed ?? null, (scenario as ScenarioName | undefined) ?? null);
  return jsonResponse(200, services.state());
}

function drop(services: AdminServices, body: Record<string, unknown>): Response {
  const market = body["market"] ?? "ALL";
  const downMs = body["downMs"] ?? 0;
  if (market !== "SPOT" && market !== "FUT" && market !== "ALL") {
    return problem(400, "market must be SPOT, FUT or ALL");
  }
  if (typeof downMs !== "number" || downMs < 0) return problem(400, "downMs must be >= 0");
  services.drop(market, downMs, body["marketStreams"] === true);
  return jsonResponse(200, { dropped: market, downMs });
}

function faultPlan(services: AdminServices, body: Record<string, unknown>): Response {
  const parsed = faultPlanFrom(body);
  if (!parsed.ok) return problem(400, parsed.error);
  services.faults.setPlan(parsed.plan);
  return jsonResponse(200, services.faults.plan());
}

function inject(services: AdminServices, body: Record<string, unknown>): Response {
  const parsed = scriptFrom(body);
  if (!parsed.ok) return problem(400, parsed.error);
  services.faults.inject(...parsed.faults);
  return jsonResponse(200, { injected: parsed.faults.length });
}

export async function handleAdmin(
  services: AdminServices,
  request: Request,
  path: string,
): Promise<Response> {
  const route = `${request.method} ${path.slice(adminPath.length)}`;
  if (route === "GET /state") return jsonResponse(200, services.state());
  if (route === "GET /fault-plan") return jsonResponse(200, services.faults.plan());
  if (request.method !== "POST") return problem(404, `no admin route ${route}`);
  const body = await bodyOf(request);
  if (body === null) return problem(400, "the body must be a JSON object");
  switch (route) {
    case "POST /fault-plan":
      return faultPlan(services, body);
    case "POST /fault-plan/inject":
      return inject(services, body);
    case "POST /advance":
      return advance(services, body);
    case "POST /mid":
      return mid(services, body);
    case "POST /reset":
      return reset(services, body);
    case "POST /drop-streams":
      return drop(services, body);
    default:
      return problem(404, `no admin route ${route}`);
  }
}
