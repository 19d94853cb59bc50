// Orders through the gateway over real HTTP with a manual clock: requests as Binance expects
// them, complete fills, the unknown-outcome rule (query until the window closes, adopt or only
// then resend the same id), harmless double cancels and bounded retries.

import { afterEach, describe, expect, test } from "bun:test";
import { dec } from "../../../domain/decimal/index.ts";
import type { PlaceOrderRequest } from "../../../ports/exchange-gateway.ts";
import { BinanceExchangeGateway } from "../../../adapters/binance/binance-exchange-gateway.ts";
import type { FetchFunction } from "../../../adapters/binance/rest-client.ts";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { SeededRng } from "../../../adapters/clock/seeded-rng.ts";
import {
  drive,
  droppingFetch,
  futuresOrderBody,
  signatureValid,
  silentLogger,
  spotOrderBody,
  StubBinance,
  type StubRequest,
  testKey,
  testSecret,
} from "./stub-binance.ts";

const startMs = 1_700_000_000_000;
const recvWindowMs = 5_000;
let stub: StubBinance;

afterEach(() => stub?.stop());

function gateway(clock: ManualClock, fetch?: FetchFunction) {
  return new BinanceExchangeGateway({
    apiKey: testKey,
    apiSecret: testSecret,
    baseUrl: stub.baseUrl,
    recvWindowMs,
    clock,
    rng: new SeededRng(7),
    logger: silentLogger,
    userStreams: false,
    ...(fetch === undefined ? {} : { fetch }),
  });
}

const spotLimit: PlaceOrderRequest = {
  market: "SPOT",
  symbol: "BTCUSDT",
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  qty: dec("0.0100"),
  price: dec("50000.00"),
  stopPrice: null,
  clientOrderId: "intent-1",
  reduceOnly: false,
};

const notFound = { status: 400, body: { code: -2013, msg: "Order does not exist." } };
const unknown503 = {
  status: 503,
  body: { code: -1000, msg: "Unknown error, please check your request or try again later." },
};

describe("placement", () => {
  test("spot LIMIT: canonical params, FULL response, signed", async () => {
    stub = new StubBinance().route("POST", "/api/v3/order", () => ({ body: spotOrderBody() }));
    const result = await gateway(new ManualClock(startMs)).placeOrder(spotLimit);
    expect(result.ok && result.value).toMatchObject({ exchangeOrderId: "1001", status: "NEW" });
    const [sent] = stub.calls("POST", "/api/v3/order");
    expect(sent?.query).toStartWith(
      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000&newClientOrderId=intent-1&newOrderRespType=FULL&recvWindow=5000&timestamp=",
    );
    expect(sent !== undefined && signatureValid(sent)).toBe(true);
  });

  test("post-only maps to the venue's form: spot LIMIT_MAKER, futures LIMIT GTX", async () => {
    stub = new StubBinance()
      .route("POST", "/api/v3/order", () => ({ body: spotOrderBody({ type: "LIMIT_MAKER" }) }))
      .route("POST", "/fapi/v1/order", () => ({ body: futuresOrderBody({ timeInForce: "GTX" }) }));
    const venue = gateway(new ManualClock(startMs));
    await venue.placeOrder({ ...spotLimit, timeInForce: "GTX" });
    await venue.placeOrder({
      ...spotLimit,
      market: "FUT",
      type: "LIMIT_MAKER",
      timeInForce: null,
      reduceOnly: true,
    });
    const spot = stub.calls("POST", "/api/v3/order")[0]?.params;
    expect([spot?.get("type"), spot?.get("timeInForce")]).toEqual(["LIMIT_MAKER", null]);
    const futures = stub.calls("POST", "/fapi/v1/order")[0]?.params;
    expect([futures?.get("type"), futures?.get("timeInForce"), futures?.get("reduceOnly")]).toEqual(
      ["LIMIT", "GTX", "true"],
    );
    expect(futures?.get("newOrderRespType")).toBe("RESULT");
  });

  test("a futures conditional type is refused without sending", async () => {
    stub = new StubBinance();
    const result = await gateway(new ManualClock(startMs)).placeOrder({
      ...spotLimit,
      market: "FUT",
      type: "STOP_MARKET",
      stopPrice: dec("40000"),
    });
    expect(!result.ok && result.error.kind).toBe("REJECTED");
    expect(stub.requests.length).toBe(0);
  });

  test("futures MARKET: fills fetched from userTrades by orderId", async () => {
    stub = new StubBinance()
      .route("POST", "/fapi/v1/order", () => ({
        body: futuresOrderBody({
          type: "MARKET",
          status: "FILLED",
          executedQty: "0.010",
          avgPrice: "50010.00",
          cumQuote: "500.1",
          price: "0",
        }),
      }))
      .route("GET", "/fapi/v1/userTrades", () => ({
        body: [
          {
            id: 1,
            orderId: 2001,
            price: "50000.00",
            qty: "0.004",
            commission: "0.1",
            commissionAsset: "USDT",
            maker: false,
            time: startMs,
          },
          {
            id: 2,
            orderId: 2001,
            price: "50016.66",
            qty: "0.006",
            commission: "0.15",
            commissionAsset: "USDT",
            maker: false,
            time: startMs,
          },
        ],
      }));
    const result = await gateway(new ManualClock(startMs)).placeOrder({
      ...spotLimit,
      market: "FUT",
      type: "MARKET",
      timeInForce: null,
      price: null,
    });
    expect(result.ok && result.value.fills.map((fill) => fill.tradeId)).toEqual(["1", "2"]);
    expect(stub.calls("GET", "/fapi/v1/userTrades")[0]?.params.get("orderId")).toBe("2001");
  });

  test("spot query without fills fetches myTrades", async () => {
    stub = new StubBinance()
      .route("GET", "/api/v3/order", () => ({
        body: spotOrderBody({
          status: "PARTIALLY_FILLED",
          executedQty: "0.00500000",
          cummulativeQuoteQty: "250.00000000",
          fills: undefined,
        }),
      }))
      .route("GET", "/api/v3/myTrades", () => ({
        body: [
          {
            symbol: "BTCUSDT",
            id: 9,
            orderId: 1001,
            price: "50000.00",
            qty: "0.00500000",
            commission: "0.000005",
            commissionAsset: "BTC",
            time: startMs,
            isBuyer: true,
            isMaker: true,
          },
        ],
      }));
    const result = await gateway(new ManualClock(startMs)).queryOrder({
      market: "SPOT",
      symbol: "BTCUSDT",
      clientOrderId: "intent-1",
    });
    expect(result.ok && result.value.fills).toEqual([
      {
        tradeId: "9",
        price: dec("50000"),
        qty: dec("0.005"),
        fee: dec("0.000005"),
        feeAsset: "BTC",
        liquidity: "MAKER",
        tsMs: startMs,
      },
    ]);
  });
});

describe("unknown outcome (DESIGN §6)", () => {
  test("found by query while the window is open: adopted, never resent", async () => {
    let queries = 0;
    stub = new StubBinance()
      .route("POST", "/api/v3/order", () => unknown503)
      .route("GET", "/api/v3/order", () => {
        queries += 1;
        return queries < 3 ? notFound : { body: spotOrderBody({ status: "NEW" }) };
      });
    const clock = new ManualClock(startMs);
    const result = await drive(clock, gateway(clock).placeOrder(spotLimit));
    expect(result.ok && result.value.exchangeOrderId).toBe("1001");
    expect(stub.calls("POST", "/api/v3/order").length).toBe(1);
    expect(stub.calls("GET", "/api/v3/order")[0]?.params.get("origClientOrderId")).toBe("intent-1");
  });

  test("a dropped connection after the venue placed it: adopted", async () => {
    let placed = false;
    stub = new StubBinance()
      .route("POST", "/fapi/v1/order", () => {
        placed = true;
        return { body: futuresOrderBody() };
      })
      .route("GET", "/fapi/v1/order", () => (placed ? { body: futuresOrderBody() } : notFound));
    const clock = new ManualClock(startMs);
    const venue = gateway(
      clock,
      droppingFetch((_url, init) => init.method === "POST"),
    );
    const result = await drive(
      clock,
      venue.placeOrder({ ...spotLimit, market: "FUT", clientOrderId: "intent-2" }),
    );
    expect(result.ok && result.value.exchangeOrderId).toBe("2001");
    expect(stub.calls("POST", "/fapi/v1/order").length).toBe(1);
  });

  test("absent until the window closed: only then resent, with the same client id", async () => {
    let posts = 0;
    stub = new StubBinance()
      .route("POST", "/api/v3/order", () => {
        posts += 1;
        return posts === 1 ? unknown503 : { body: spotOrderBody() };
      })
      .route("GET", "/api/v3/order", () => notFound);
    const clock = new ManualClock(startMs);
    const result = await drive(clock, gateway(clock).placeOrder(spotLimit));
    expect(result.ok).toBe(true);
    const [first, second] = stub.calls("POST", "/api/v3/order");
    expect(second?.params.get("newClientOrderId")).toBe(first?.params.get("newClientOrderId"));
    const firstTs = Number(first?.params.get("timestamp"));
    const secondTs = Number(second?.params.get("timestamp"));
    // timestamp + recvWindow + offset margin (1000 ms) had passed before the resend.
    expect(secondTs).toBeGreaterThanOrEqual(firstTs + recvWindowMs + 1_000);
    const lastQuery = stub.calls("GET", "/api/v3/order").at(-1) as StubRequest;
    expect(Number(lastQuery.params.get("timestamp"))).toBeGreaterThanOrEqual(
      firstTs + recvWindowMs + 1_000,
    );
    expect(
      first !== undefined &&
        second !== undefined &&
        signatureValid(first) &&
        signatureValid(second),
    ).toBe(true);
  });

  test("resends are bounded; the answer says it was not placed", async () => {
    stub = new StubBinance()
      .route("POST", "/api/v3/order", () => unknown503)
      .route("GET", "/api/v3/order", () => notFound);
    const clock = new ManualClock(startMs);
    const result = await drive(clock, gateway(clock).placeOrder(spotLimit));
    expect(!result.ok && result.error.kind).toBe("UNAVAILABLE");
    expect(stub.calls("POST", "/api/v3/order").length).toBe(3);
  });

  test("queries that keep failing leave the outcome unknown (no resend)", async () => {
    stub = new StubBinance()
      .route("POST", "/api/v3/order", () => ({
        status: 500,
        body: {
          code: -1006,
          msg: "An unexpected response was received from the message bus. Execution status unknown.",
        },
      }))
      .route("GET", "/api/v3/order", () => ({
        status: 503,
        body: { code: -1000, msg: "Service Unavailable." },
      }));
    const clock = new ManualClock(startMs);
    const result = await drive(clock, gateway(clock).placeOrder(spotLimit));
    expect(!result.ok && result.error.kind).toBe("OUTCOME_UNKNOWN");
    expect(stub.calls("POST", "/api/v3/order").length).toBe(1);
  });

  test("a definite rejection is answered at once, never queried", async () => {
    stub = new StubBinance().route("POST", "/api/v3/order", () => ({
      status: 400,
      body: { code: -2010, msg: "Account has insufficient balance for requested action." },
    }));
    const result = await gateway(new ManualClock(startMs)).placeOrder(spotLimit);
    expect(!result.ok && result.error.kind).toBe("INSUFFICIENT_BALANCE");
    expect(stub.calls("GET", "/api/v3/order").length).toBe(0);
  });
});

describe("retries of definite failures", () => {
  test("503 Service Unavailable is retried with backoff on the clock, re-signed each time", async () => {
    let posts = 0;
    stub = new StubBinance().route("POST", "/fapi/v1/order", () => {
      posts += 1;
      return posts <= 2
        ? { status: 503, body: { code: -1000, msg: "Service Unavailable." } }
        : { body: futuresOrderBody() };
    });
    const clock = new ManualClock(startMs);
    const result = await drive(
      clock,
      gateway(clock).placeOrder({ ...spotLimit, market: "FUT" }),
      50,
    );
    expect(result.ok).toBe(true);
    const stamps = stub
      .calls("POST", "/fapi/v1/order")
      .map((request) => Number(request.params.get("timestamp")));
    expect(stamps.length).toBe(3);
    expect(stamps[1]).toBeGreaterThan(stamps[0] as number);
    expect(stamps[2]).toBeGreaterThan(stamps[1] as number);
  });

  test("429 is retried after Retry-After when it is short", async () => {
    let posts = 0;
    stub = new StubBinance().route("POST", "/api/v3/order", () => {
      posts += 1;
      return posts === 1
        ? {
            status: 429,
            body: { code: -1003, msg: "Too many requests" },
            headers: { "Retry-After": "2" },
          }
        : { body: spotOrderBody() };
    });
    const clock = new ManualClock(startMs);
    const result = await drive(clock, gateway(clock).placeOrder(spotLimit));
    expect(result.ok).toBe(true);
    const stamps = stub
      .calls("POST", "/api/v3/order")
      .map((request) => Number(request.params.get("timestamp")));
    expect((stamps[1] as number) - (stamps[0] as number)).toBeGreaterThanOrEqual(2_000);
  });
});

describe("cancel", () => {
  const ref = { market: "SPOT" as const, symbol: "BTCUSDT", clientOrderId: "intent-1" };

  test("a cancel that arrived twice (runtime resend) answers the first one's success", async () => {
    // The first DELETE reached the venue and canceled; only the resent one's -2011 came back.
    let canceledAt = 0;
    stub = new StubBinance()
      .route("DELETE", "/api/v3/order", (request) => {
        canceledAt = Number(request.params.get("timestamp")) + 3;
        return { status: 400, body: { code: -2011, msg: "Unknown order sent." } };
      })
      .route("GET", "/api/v3/order", () => ({
        body: spotOrderBody({ status: "CANCELED", updateTime: canceledAt }),
      }));
    const venue = gateway(new ManualClock(startMs));
    const first = await venue.cancelOrder(ref);
    expect(first.ok && first.value.status).toBe("CANCELED");
    // The caller's own second cancel is told the order is unknown.
    const second = await venue.cancelOrder(ref);
    expect(!second.ok && second.error.kind).toBe("UNKNOWN_ORDER");
  });

  test("an order canceled before our cancel was sent: UNKNOWN_ORDER", async () => {
    stub = new StubBinance()
      .route("DELETE", "/api/v3/order", () => ({
        status: 400,
        body: { code: -2011, msg: "Unknown order sent." },
      }))
      .route("GET", "/api/v3/order", () => ({
        body: spotOrderBody({ status: "CANCELED", updateTime: startMs - 60_000 }),
      }));
    const result = await gateway(new ManualClock(startMs)).cancelOrder(ref);
    expect(!result.ok && result.error.kind).toBe("UNKNOWN_ORDER");
  });

  test("a filled order cannot be canceled: UNKNOWN_ORDER naming its status", async () => {
    stub = new StubBinance()
      .route("DELETE", "/fapi/v1/order", () => ({
        status: 400,
        body: { code: -2011, msg: "Unknown order sent." },
      }))
      .route("GET", "/fapi/v1/order", () => ({
        body: futuresOrderBody({
          status: "FILLED",
          executedQty: "0.010",
          avgPrice: "50000",
          updateTime: startMs + 5,
        }),
      }))
      .route("GET", "/fapi/v1/userTrades", () => ({ body: [] }));
    const clock = new ManualClock(startMs);
    const result = await drive(clock, gateway(clock).cancelOrder({ ...ref, market: "FUT" }));
    expect(!result.ok && result.error).toMatchObject({ kind: "UNKNOWN_ORDER" });
    expect(!result.ok && result.error.message).toContain("FILLED");
  });

  test("a successful cancel answers the order as it ended", async () => {
    stub = new StubBinance().route("DELETE", "/api/v3/order", () => ({
      body: spotOrderBody({
        origClientOrderId: "intent-1",
        clientOrderId: "cancel-xyz",
        status: "CANCELED",
      }),
    }));
    const result = await gateway(new ManualClock(startMs)).cancelOrder(ref);
    expect(result.ok && result.value).toMatchObject({
      clientOrderId: "intent-1",
      status: "CANCELED",
    });
    expect(stub.calls("DELETE", "/api/v3/order")[0]?.params.get("origClientOrderId")).toBe(
      "intent-1",
    );
  });
});
