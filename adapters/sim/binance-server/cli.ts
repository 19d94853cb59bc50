// Command line for the Binance-protocol simulator:
//
//   bun run sim:binance -- --port <n> --seed <n> --scenario <name>
//       [--host 127.0.0.1] [--api-key <64 chars>] [--api-secret <64 chars>]
//       [--state <sqlite path>] [--fault-plan <json or file>] [--clock system|manual]
//       [--start-ms <epoch ms, manual clock>] [--rate-limit-scale <n> (multiplies Binance's limits)]
//
// `--port 0` picks a free port. The first line on stdout is exactly one JSON object:
// {"base_url","ws_base_url","api_key","api_secret","seed","scenario","admin_path",...}; logs
// follow. Without --api-key/--api-secret the default account's credentials are used
// (server.ts: defaultApiKey, defaultApiSecret). SIGINT and SIGTERM stop the server cleanly.

import { readFileSync } from "node:fs";
import { ManualClock } from "../../clock/manual-clock.ts";
import { SystemClock } from "../../clock/system-clock.ts";
import type { Clock } from "../../../ports/clock.ts";
import { isScenarioName, type ScenarioName, scenarioNames } from "../engine/index.ts";
import type { FaultPlan } from "../fault-plan.ts";
import { faultPlanFrom } from "./fault-plan-json.ts";
import { type BinanceSimServerOptions, startBinanceSimServer } from "./server.ts";

export interface CliOptions {
  readonly server: BinanceSimServerOptions;
}

type Flags = Map<string, string>;

const flagNames = new Set([
  "port",
  "host",
  "seed",
  "scenario",
  "api-key",
  "api-secret",
  "state",
  "fault-plan",
  "clock",
  "start-ms",
  "rate-limit-scale",
]);

function readFlags(argv: readonly string[]): Flags | string {
  const flags: Flags = new Map();
  const args = argv.filter((arg) => arg !== "--");
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? "";
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match === null || !flagNames.has(match[1] ?? "")) return `unknown argument ${arg}`;
    const value = match[2] ?? args[index + 1];
    if (match[2] === undefined) index += 1;
    if (value === undefined) return `--${match[1]} needs a value`;
    flags.set(match[1] ?? "", value);
  }
  return flags;
}

function integerFlag(flags: Flags, name: string, fallback: number): number | string {
  const value = flags.get(name);
  if (value === undefined) return fallback;
  const number = Number(value);
  return Number.isSafeInteger(number) && number >= 0 ? number : `--${name} must be an integer`;
}

function faultPlan(text: string): FaultPlan | string {
  const source = text.trim().startsWith("{") ? text : readFileSync(text, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch {
    return "--fault-plan is not valid JSON";
  }
  const parsed = faultPlanFrom(json);
  return parsed.ok ? parsed.plan : `--fault-plan: ${parsed.error}`;
}

function clockOf(flags: Flags): Clock | string {
  const kind = flags.get("clock") ?? "system";
  if (kind === "system") return new SystemClock();
  if (kind !== "manual") return "--clock must be system or manual";
  const startMs = integerFlag(flags, "start-ms", 1_700_000_000_000);
  return typeof startMs === "string" ? startMs : new ManualClock(startMs);
}

function given<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** Parses the command line into server options, or answers the problem. */
export function parseCli(argv: readonly string[]): CliOptions | string {
  const flags = readFlags(argv);
  if (typeof flags === "string") return flags;
  const port = integerFlag(flags, "port", 0);
  const seed = integerFlag(flags, "seed", 1);
  const scenario = flags.get("scenario") ?? "calm";
  if (typeof port === "string") return port;
  if (typeof seed === "string") return seed;
  if (!isScenarioName(scenario)) return `--scenario must be one of ${scenarioNames.join(", ")}`;
  const clock = clockOf(flags);
  if (typeof clock === "string") return clock;
  const rateLimitScale = integerFlag(flags, "rate-limit-scale", 1);
  if (typeof rateLimitScale === "string" || rateLimitScale < 1)
    return "--rate-limit-scale must be an integer >= 1";
  const planText = flags.get("fault-plan");
  const plan = planText === undefined ? undefined : faultPlan(planText);
  if (typeof plan === "string") return plan;
  const server: BinanceSimServerOptions = {
    port,
    seed,
    scenario: scenario as ScenarioName,
    clock,
    statePath: flags.get("state") ?? null,
    rateLimitScale,
    ...given("hostname", flags.get("host")),
    ...given("apiKey", flags.get("api-key")),
    ...given("apiSecret", flags.get("api-secret")),
    ...(plan === undefined ? {} : { faultPlan: plan }),
  };
  return { server };
}

function main(): void {
  const parsed = parseCli(process.argv.slice(2));
  if (typeof parsed === "string") {
    console.error(`sim:binance: ${parsed}`);
    process.exit(2);
  }
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const server = startBinanceSimServer({ ...parsed.server, log });
  console.log(
    JSON.stringify({
      base_url: server.baseUrl,
      ws_base_url: server.wsBaseUrl,
      api_key: server.apiKey,
      api_secret: server.apiSecret,
      seed: server.seed,
      scenario: server.scenario,
      admin_path: server.adminPath,
      spot_ws_api_url: `${server.wsBaseUrl}/ws-api/v3`,
      port: server.port,
    }),
  );
  log(`Binance-protocol simulator listening on ${server.baseUrl}`);
  const shutdown = (signal: string) => {
    log(`${signal}: stopping`);
    void server.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

if (import.meta.main) main();
