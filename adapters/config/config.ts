// The environment, parsed once by one valibot schema (DESIGN §10). A bad value stops start-up
// with a message naming the variable; nothing else in the program reads process.env.

import { fileURLToPath } from "node:url";
import * as v from "valibot";

/** The table that ships with the project, found from here so any working directory works. */
export const shippedRouteTablePath = fileURLToPath(
  new URL("../../config/route-table.json", import.meta.url),
);

const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const durationUnitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "60s", "1500ms", "2m", "1h"; a bare number means seconds. */
function duration(defaultText: string) {
  return v.pipe(
    v.optional(v.string(), defaultText),
    v.regex(durationPattern, "must be a duration such as 60s, 1500ms, 2m or 1h"),
    v.transform((text) => {
      const match = durationPattern.exec(text);
      return Math.round(Number(match?.[1]) * (durationUnitMs[match?.[2] ?? "s"] ?? 1_000));
    }),
  );
}

function integer(defaultValue: number, min: number, max: number) {
  return v.pipe(
    v.optional(v.string(), String(defaultValue)),
    v.regex(/^\d+$/, "must be a whole number"),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

function boolean(defaultValue: boolean) {
  return v.pipe(
    v.optional(v.string(), String(defaultValue)),
    v.picklist(["true", "false", "1", "0", "yes", "no"], "must be true or false"),
    v.transform((text) => text === "true" || text === "1" || text === "yes"),
  );
}

const optionalText = v.optional(v.pipe(v.string(), v.trim()));

const environmentSchema = v.object({
  PORT: integer(8084, 0, 65_535),
  S4_EXCHANGE: v.optional(v.picklist(["sim", "binance"], "must be sim or binance"), "sim"),
  S4_BINANCE_KEY: optionalText,
  S4_BINANCE_SECRET: optionalText,
  S4_TESTNET: boolean(false),
  S4_BINANCE_BASE_URL: v.optional(
    v.pipe(v.string(), v.url("must be a URL such as http://127.0.0.1:9000")),
  ),
  S4_RECV_WINDOW_MS: integer(5_000, 1, 60_000),
  S4_SIM_SCENARIO: v.optional(
    v.picklist(
      ["calm", "wide_spread", "thin_book", "trend_up", "trend_down", "gap_down"],
      "must be one of calm, wide_spread, thin_book, trend_up, trend_down, gap_down",
    ),
    "calm",
  ),
  S4_SIM_SEED: integer(1, 0, 2 ** 31 - 1),
  S4_REDIS_ADDRESSES: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(
        /^[^,\s]+(,[^,\s]+)*$/,
        "must be a comma-separated list such as 127.0.0.1:6379,10.0.0.2:6379",
      ),
    ),
  ),
  S4_DB_ARANGO_URL: v.optional(v.pipe(v.string(), v.url("must be a URL"))),
  S4_DB_ARANGO_DATABASE: v.optional(v.string(), "s4"),
  S4_DB_ARANGO_USER: v.optional(v.string(), "root"),
  S4_DB_ARANGO_PASSWORD: v.optional(v.string(), ""),
  S4_DB_SQLITE_PATH: v.optional(
    v.pipe(v.string(), v.minLength(1, "must not be empty")),
    "./data/s4.sqlite",
  ),
  S4_ROUTE_TABLE_PATH: v.optional(
    v.pipe(v.string(), v.minLength(1, "must not be empty")),
    shippedRouteTablePath,
  ),
  S4_CB_ERROR_RATE_WINDOW: duration("60s"),
  S4_CB_ERROR_RATE_THRESH: v.pipe(
    v.optional(v.string(), "0.2"),
    v.regex(/^(0(\.\d+)?|1(\.0+)?)$/, "must be a number between 0 and 1"),
    v.transform(Number),
  ),
  S4_MAKER_MAX_WAIT_MS: integer(3_000, 0, 600_000),
  S4_TWAP_MAX_SLICES: integer(4, 1, 1_000),
  S4_TWAP_LEASE_MS: integer(30_000, 1_000, 3_600_000),
  S4_ROUTE_TABLE_REFRESH_MS: integer(10_000, 100, 3_600_000),
  S4_RECONCILE_CANCEL_ORPHANS: boolean(true),
  S4_OCO_GUARDIAN: boolean(false),
  S4_WORKING_TYPE: v.optional(
    v.picklist(["MARK_PRICE", "CONTRACT_PRICE"], "must be MARK_PRICE or CONTRACT_PRICE"),
    "MARK_PRICE",
  ),
  S4_HTTP_BODY_MAX_BYTES: integer(65_536, 1_024, 10_485_760),
  S4_LOG_LEVEL: v.optional(
    v.picklist(["debug", "info", "warn", "error"], "must be debug, info, warn or error"),
    "info",
  ),
});

export type Environment = v.InferOutput<typeof environmentSchema>;

export interface Config {
  readonly port: number;
  readonly exchange: "sim" | "binance";
  readonly binance: {
    readonly apiKey: string;
    readonly apiSecret: string;
    readonly testnet: boolean;
    readonly baseUrl: string | null;
    readonly recvWindowMs: number;
  };
  readonly sim: { readonly scenario: Environment["S4_SIM_SCENARIO"]; readonly seed: number };
  readonly redisAddresses: readonly string[];
  readonly arango: {
    readonly url: string;
    readonly database: string;
    readonly user: string;
    readonly password: string;
  } | null;
  readonly sqlitePath: string;
  readonly routeTablePath: string;
  readonly circuitBreaker: { readonly windowMs: number; readonly errorRateThreshold: number };
  readonly makerMaxWaitMs: number;
  readonly twapMaxSlices: number;
  /** How long a claimed TWAP slice stays leased to one router instance. */
  readonly twapLeaseMs: number;
  /** How often the Redis route-table override is read. */
  readonly routeTableRefreshMs: number;
  /** Cancel venue orders the store does not know (DESIGN §8); turn off on shared accounts. */
  readonly reconcileCancelOrphans: boolean;
  readonly ocoGuardian: boolean;
  readonly workingType: "MARK_PRICE" | "CONTRACT_PRICE";
  readonly httpBodyMaxBytes: number;
  readonly logLevel: "debug" | "info" | "warn" | "error";
}

export type ConfigParse = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Parses the variables we know; unknown ones are ignored. Empty strings count as unset. */
export function parseConfig(source: Readonly<Record<string, string | undefined>>): ConfigParse {
  const present: Record<string, string> = {};
  for (const key of Object.keys(environmentSchema.entries)) {
    const value = source[key];
    if (value !== undefined && value.trim() !== "") present[key] = value.trim();
  }
  const parsed = v.safeParse(environmentSchema, present);
  if (!parsed.success) {
    const problems = parsed.issues.map((issue) => {
      const name = issue.path?.map((item) => String(item.key)).join(".") ?? "environment";
      return `${name}=${JSON.stringify(present[name] ?? "")}: ${issue.message}`;
    });
    return { ok: false, problems };
  }
  const env = parsed.output;
  const problems: string[] = [];
  if (
    env.S4_EXCHANGE === "binance" &&
    (env.S4_BINANCE_KEY === undefined || env.S4_BINANCE_SECRET === undefined)
  ) {
    problems.push("S4_BINANCE_KEY and S4_BINANCE_SECRET: required when S4_EXCHANGE=binance");
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: toConfig(env) };
}

function toConfig(env: Environment): Config {
  return {
    port: env.PORT,
    exchange: env.S4_EXCHANGE,
    binance: {
      apiKey: env.S4_BINANCE_KEY ?? "",
      apiSecret: env.S4_BINANCE_SECRET ?? "",
      testnet: env.S4_TESTNET,
      baseUrl: env.S4_BINANCE_BASE_URL ?? null,
      recvWindowMs: env.S4_RECV_WINDOW_MS,
    },
    sim: { scenario: env.S4_SIM_SCENARIO, seed: env.S4_SIM_SEED },
    redisAddresses: env.S4_REDIS_ADDRESSES === undefined ? [] : env.S4_REDIS_ADDRESSES.split(","),
    arango:
      env.S4_DB_ARANGO_URL === undefined
        ? null
        : {
            url: env.S4_DB_ARANGO_URL,
            database: env.S4_DB_ARANGO_DATABASE,
            user: env.S4_DB_ARANGO_USER,
            password: env.S4_DB_ARANGO_PASSWORD,
          },
    sqlitePath: env.S4_DB_SQLITE_PATH,
    routeTablePath: env.S4_ROUTE_TABLE_PATH,
    circuitBreaker: {
      windowMs: env.S4_CB_ERROR_RATE_WINDOW,
      errorRateThreshold: env.S4_CB_ERROR_RATE_THRESH,
    },
    makerMaxWaitMs: env.S4_MAKER_MAX_WAIT_MS,
    twapMaxSlices: env.S4_TWAP_MAX_SLICES,
    twapLeaseMs: env.S4_TWAP_LEASE_MS,
    routeTableRefreshMs: env.S4_ROUTE_TABLE_REFRESH_MS,
    reconcileCancelOrphans: env.S4_RECONCILE_CANCEL_ORPHANS,
    ocoGuardian: env.S4_OCO_GUARDIAN,
    workingType: env.S4_WORKING_TYPE,
    httpBodyMaxBytes: env.S4_HTTP_BODY_MAX_BYTES,
    logLevel: env.S4_LOG_LEVEL,
  };
}
