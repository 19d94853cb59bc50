// The REST transport over real HTTP: fresh signature and timestamp per attempt, server-time
// offset, header tracking, the 429/418 gate, -1021 resync, and how transport failures read.

import { afterEach, describe, expect, test } from "bun:test";
import { BinanceCredentials } from "../../../adapters/binance/credentials.ts";
import { RateLimitTracker } from "../../../adapters/binance/rate-limits.ts";
import {
  BinanceRestClient,
  type FetchFunction,
  type RestCall,
} from "../../../adapters/binance/rest-client.ts";
import { HmacSigner } from "../../../adapters/binance/signer.ts";
import { resolveUrls } from "../../../adapters/binance/urls.ts";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import {
  drive,
  droppingFetch,
  signatureValid,
  silentLogger,
  StubBinance,
  testKey,
  testSecret,
} from "./stub-binance.ts";

const startMs = 1_700_000_000_000;
let stub: StubBinance;

afterEach(() => stub?.stop());

function client(clock: ManualClock, baseUrl = stub.baseUrl, fetch?: FetchFunction) {
  const credentials = new BinanceCredentials(testKey, testSecret);
  const limits = new RateLimitTracker();
  const rest = new BinanceRestClient({
    urls: resolveUrls({ baseUrl }),
    credentials,
    signer: new HmacSigner(credentials),
    limits,
    clock,
    logger: silentLogger,
    recvWindowMs: 5_000,
    requestTimeoutMs: 10_000,
    offsetMarginMs: 1_000,
    ...(fetch === undefined ? {} : { fetch }),
  });
  return { rest, limits };
}

const accountCall: RestCall = {
  api: "SPOT",
  method: "GET",
  path: "/api/v3/account",
  params: [["symbol", "１２３"]],
  security: "SIGNED",
};

describe("signing and time", () => {
  test("signs the encoded query with a timestamp corrected by the measured offset", async () => {
    stub = new StubBinance()
      .route("GET", "/api/v3/time", () => ({ body: { serverTime: startMs + 5_000 } }))
      .route("GET", "/api/v3/account", () => ({ body: { balances: [] } }));
    const clock = new ManualClock(startMs);
    const { rest } = client(clock);
    expect(await rest.syncTime("SPOT")).toBeNull();
    expect(rest.offset("SPOT").offsetMs).toBe(5_000);
    await clock.advanceMs(250);
    const response = await rest.request(accountCall);
    expect(response.ok).toBe(true);
    const [sent] = stub.calls("GET", "/api/v3/account");
    expect(sent?.apiKey).toBe(testKey);
    expect(sent?.query.startsWith("symbol=%EF%BC%91%EF%BC%92%EF%BC%93&recvWindow=5000&")).toBe(
      true,
    );
    expect(sent?.params.get("timestamp")).toBe(String(startMs + 250 + 5_000));
    expect(sent !== undefined && signatureValid(sent)).toBe(true);
  });

  test("-1021 resyncs the offset and re-signs once with a fresh timestamp", async () => {
    let serverTime = startMs;
    stub = new StubBinance()
      .route("GET", "/api/v3/time", () => ({ body: { serverTime } }))
      .route("GET", "/api/v3/account", (request) =>
        Number(request.params.get("timestamp")) < startMs + 60_000
          ? {
              status: 400,
              body: {
                code: -1021,
                msg: "Timestamp for this request is outside of the recvWindow.",
              },
            }
          : { body: { balances: [] } },
      );
    const clock = new ManualClock(startMs);
    const { rest } = client(clock);
    await rest.syncTime("SPOT");
    serverTime = startMs + 60_000; // the local clock drifted a minute behind the venue
    const response = await rest.request(accountCall);
    expect(response.ok).toBe(true);
    const sends = stub.calls("GET", "/api/v3/account");
    expect(sends.map((request) => request.params.get("timestamp"))).toEqual([
      String(startMs),
      String(startMs + 60_000),
    ]);
    expect(sends.every((request) => signatureValid(request))).toBe(true);
  });

  test("a second -1021 after the resync is answered, not retried again", async () => {
    stub = new StubBinance()
      .route("GET", "/api/v3/time", () => ({ body: { serverTime: startMs } }))
      .route("GET", "/api/v3/account", () => ({
        status: 400,
        body: { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." },
      }));
    const { rest } = client(new ManualClock(startMs));
    const response = await rest.request(accountCall);
    expect(response.ok).toBe(false);
    expect(stub.calls("GET", "/api/v3/account").length).toBe(2);
  });
});

describe("rate limits", () => {
  test("used weight and order counts are tracked from headers", async () => {
    stub = new StubBinance().route("GET", "/api/v3/account", () => ({
      body: {},
      headers: {
        "X-MBX-USED-WEIGHT-1M": "42",
        "X-MBX-ORDER-COUNT-10S": "3",
        "X-MBX-ORDER-COUNT-1D": "77",
      },
    }));
    const { rest, limits } = client(new ManualClock(startMs));
    await rest.request(accountCall);
    expect(limits.stats().spot).toMatchObject({
      usedWeight1m: 42,
      orderCounts: { "10S": 3, "1D": 77 },
    });
    expect(limits.stats().futures.usedWeight1m).toBeNull();
  });

  test("429 honours Retry-After: later sends answer RATE_LIMITED unsent until it passes", async () => {
    let limited = true;
    stub = new StubBinance().route("GET", "/api/v3/account", () =>
      limited
        ? {
            status: 429,
            body: { code: -1003, msg: "Too much request weight used" },
            headers: { "Retry-After": "3" },
          }
        : { body: {} },
    );
    const clock = new ManualClock(startMs);
    const { rest } = client(clock);
    const first = await rest.request(accountCall);
    expect(!first.ok && first.failure.error).toMatchObject({
      kind: "RATE_LIMITED",
      retryAfterMs: 3_000,
    });
    limited = false;
    await clock.advanceMs(1_000);
    const gated = await rest.request(accountCall);
    expect(!gated.ok && gated.failure.error).toMatchObject({
      kind: "RATE_LIMITED",
      retryAfterMs: 2_000,
    });
    expect(!gated.ok && gated.sent).toBeNull();
    expect(stub.calls("GET", "/api/v3/account").length).toBe(1);
    await clock.advanceMs(2_000);
    expect((await rest.request(accountCall)).ok).toBe(true);
  });

  test("-1015 (too many new orders, HTTP 400) answers RATE_LIMITED but closes no gate", async () => {
    stub = new StubBinance().route("GET", "/api/v3/account", () => ({
      status: 400,
      body: { code: -1015, msg: "Too many new orders; current limit is 100 orders per 10 SECOND." },
    }));
    const { rest, limits } = client(new ManualClock(startMs));
    const first = await rest.request(accountCall);
    expect(!first.ok && first.failure.error.kind).toBe("RATE_LIMITED");
    await rest.request(accountCall);
    expect(stub.calls("GET", "/api/v3/account").length).toBe(2);
    expect(limits.stats().spot.rateLimitedUntilMs).toBe(0);
  });

  test("418 stops every send, futures included, until the ban ends", async () => {
    stub = new StubBinance()
      .route("GET", "/api/v3/account", () => ({
        status: 418,
        body: {
          code: -1003,
          msg: "Way too much request weight used; IP banned until 1700000120000.",
        },
        headers: { "Retry-After": "120" },
      }))
      .route("GET", "/fapi/v1/time", () => ({ body: { serverTime: startMs } }));
    const clock = new ManualClock(startMs);
    const { rest } = client(clock);
    const banned = await rest.request(accountCall);
    expect(!banned.ok && banned.failure.error).toMatchObject({
      kind: "BANNED",
      untilMs: startMs + 120_000,
    });
    const futures = await rest.syncTime("FUT");
    expect(futures?.error.kind).toBe("BANNED");
    expect(stub.calls("GET", "/fapi/v1/time").length).toBe(0);
    await clock.advanceMs(120_000);
    expect(await rest.syncTime("FUT")).toBeNull();
  });
});

describe("transport failures", () => {
  test("no answer before the timeout (on the injected clock) is an unknown outcome", async () => {
    stub = new StubBinance().route("GET", "/api/v3/account", () => "hang");
    const clock = new ManualClock(startMs);
    const { rest } = client(clock);
    const response = await drive(clock, rest.request(accountCall), 1_000);
    expect(!response.ok && response.failure.error.kind).toBe("OUTCOME_UNKNOWN");
    expect(!response.ok && response.failure.rule).toBe("transport-unknown");
    expect(clock.nowMs() - startMs).toBeGreaterThanOrEqual(10_000);
  });

  test("a connection dropped after sending is an unknown outcome", async () => {
    stub = new StubBinance().route("GET", "/api/v3/account", () => ({ body: {} }));
    const { rest } = client(
      new ManualClock(startMs),
      stub.baseUrl,
      droppingFetch(() => true),
    );
    const response = await rest.request(accountCall);
    expect(!response.ok && response.failure.error.kind).toBe("OUTCOME_UNKNOWN");
  });

  test("a refused connection never sent anything: UNAVAILABLE", async () => {
    stub = new StubBinance();
    const deadUrl = stub.baseUrl;
    stub.stop();
    const { rest } = client(new ManualClock(startMs), deadUrl);
    const response = await rest.request(accountCall);
    expect(!response.ok && response.failure.error.kind).toBe("UNAVAILABLE");
    expect(rest.reachable()).toBe(false);
  });

  test("an unreadable success body is an unknown outcome, not a success", async () => {
    stub = new StubBinance().route("GET", "/api/v3/account", () => ({ body: undefined }));
    const { rest } = client(new ManualClock(startMs));
    const response = await rest.request(accountCall);
    expect(!response.ok && response.failure.error.kind).toBe("OUTCOME_UNKNOWN");
  });
});
