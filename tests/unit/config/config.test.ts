// Configuration: defaults for the embedded mode, and a named variable for every bad value.

import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../../adapters/config/config.ts";

describe("configuration", () => {
  test("an empty environment is the embedded default", () => {
    const parsed = parseConfig({});
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.config).toMatchObject({
      port: 8084,
      exchange: "sim",
      redisAddresses: [],
      sqlitePath: "./data/s4.sqlite",
      circuitBreaker: { windowMs: 60_000, errorRateThreshold: 0.2 },
      makerMaxWaitMs: 3_000,
      twapMaxSlices: 4,
      ocoGuardian: false,
      workingType: "MARK_PRICE",
    });
  });

  test("values are parsed and durations take units", () => {
    const parsed = parseConfig({
      PORT: "9000",
      S4_REDIS_ADDRESSES: "127.0.0.1:7000,127.0.0.1:7001",
      S4_CB_ERROR_RATE_WINDOW: "2m",
      S4_OCO_GUARDIAN: "true",
      S4_SIM_SCENARIO: "thin_book",
    });
    expect(parsed.ok && parsed.config).toMatchObject({
      port: 9000,
      redisAddresses: ["127.0.0.1:7000", "127.0.0.1:7001"],
      circuitBreaker: { windowMs: 120_000 },
      ocoGuardian: true,
      sim: { scenario: "thin_book" },
    });
  });

  test.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["S4_EXCHANGE", "kraken"],
    ["S4_CB_ERROR_RATE_THRESH", "1.5"],
    ["S4_CB_ERROR_RATE_WINDOW", "soon"],
    ["S4_TWAP_MAX_SLICES", "0"],
    ["S4_OCO_GUARDIAN", "maybe"],
    ["S4_WORKING_TYPE", "LAST"],
    ["S4_BINANCE_BASE_URL", "not a url"],
    ["S4_REDIS_ADDRESSES", "a,,b"],
  ])("%s=%s stops start-up naming the variable", (name, value) => {
    const parsed = parseConfig({ [name]: value });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.join("\n")).toContain(name);
  });

  test("binance needs credentials", () => {
    const parsed = parseConfig({ S4_EXCHANGE: "binance" });
    expect(!parsed.ok && parsed.problems[0]).toContain("S4_BINANCE_KEY");
  });
});
