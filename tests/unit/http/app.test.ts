// The HTTP adapter in-process (app.request): status mapping, error bodies, body limits, the
// OpenAPI document and docs page; bad input never reaches a use case.

import { describe, expect, test } from "bun:test";
import { createHttpApp } from "../../../adapters/http/app.ts";
import { MemoryLogger } from "../../../adapters/observability/console-logger.ts";
import type { Health } from "../../../application/health/health.ts";
import type { OrderIntent, OrderResult } from "../../../domain/order/index.ts";

function result(overrides: Partial<OrderResult> = {}): OrderResult {
  return {
    result: "OK",
    status: "FILLED",
    intent_id: "i",
    order_id: "ord_1",
    client_order_id: "i",
    order_ids: ["ord_1"],
    filled_qty: "0.002",
    fills: [],
    legs: [],
    ...overrides,
  };
}

function makeApp(answer: OrderResult, retryAfterMs?: number) {
  const received: OrderIntent[] = [];
  const app = createHttpApp({
    placeOrder: {
      execute: async (intent) => {
        received.push(intent);
        return retryAfterMs === undefined ? { result: answer } : { result: answer, retryAfterMs };
      },
    },
    cancelOrder: {
      execute: async (request) => ({
        result: "FAIL",
        order_id: request.orderId ?? "",
        client_order_id: "",
        status: "FILLED",
        canceled_ids: [],
        message: "filled",
        code: "ALREADY_FILLED",
      }),
    },
    lookupOrder: { execute: async (id) => (id === "known" ? answer : null) },
    health: { report: async () => ({ status: "ok" }), isReady: () => true } as unknown as Health,
    logger: new MemoryLogger(),
    bodyMaxBytes: 1_024,
    metricsText: async () => "orders_total 1\n",
  });
  const post = (path: string, body: string) =>
    app.request(path, { method: "POST", body, headers: { "content-type": "application/json" } });
  return { app, post, received };
}

const valid = JSON.stringify({
  intent_id: "i",
  market: "FUT",
  symbol: "BTCUSDT",
  side: "BUY",
  qty: "0.002",
});

describe("HTTP adapter", () => {
  test.each([
    [result(), 200],
    [result({ status: "ACCEPTED" }), 200],
    [result({ result: "OK", status: "NEW", code: "OUTCOME_UNKNOWN" }), 202],
    [result({ result: "FAIL", status: "REJECTED", code: "LOT_SIZE" }), 400],
    [result({ result: "FAIL", status: "REJECTED", code: "MIN_NOTIONAL" }), 422],
    [result({ result: "FAIL", status: "REJECTED", code: "PERCENT_PRICE" }), 422],
    [result({ result: "FAIL", status: "REJECTED", code: "CIRCUIT_OPEN" }), 503],
  ])("a result with code %j answers %d", async (answer, status) => {
    const { post } = makeApp(answer);
    const response = await post("/orders", valid);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual(answer);
  });

  test("Retry-After is set in whole seconds", async () => {
    const { post } = makeApp(
      result({ result: "FAIL", status: "REJECTED", code: "CIRCUIT_OPEN" }),
      2_500,
    );
    const response = await post("/orders", valid);
    expect(response.headers.get("retry-after")).toBe("3");
  });

  test("malformed, empty, invalid and oversized bodies never reach the use case", async () => {
    const { post, received } = makeApp(result());
    const malformed = await post("/orders", "{");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      code: "MALFORMED_JSON",
      field: "body",
      status: "REJECTED",
    });
    expect((await post("/orders", "")).status).toBe(400);
    const invalid = await post("/orders", JSON.stringify({ intent_id: "bad id!", market: "FUT" }));
    expect(await invalid.json()).toMatchObject({ code: "INVALID_REQUEST", field: "intent_id" });
    const oversized = await post("/orders", JSON.stringify({ pad: "x".repeat(4_000) }));
    expect(oversized.status).toBe(413);
    expect(received).toHaveLength(0);
  });

  test("cancel maps its code; lookups answer 404 for unknown ids", async () => {
    const { app, post } = makeApp(result());
    expect((await post("/cancel", JSON.stringify({ order_id: "ord_1" }))).status).toBe(409);
    expect((await post("/cancel", JSON.stringify({}))).status).toBe(400);
    expect((await app.request("/orders/known")).status).toBe(200);
    const unknown = await app.request("/orders/nope");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "ORDER_NOT_FOUND" });
  });

  test("OpenAPI, docs and metrics are served", async () => {
    const { app } = makeApp(result());
    const document = (await (await app.request("/openapi.json")).json()) as Record<string, unknown>;
    expect(document["openapi"]).toBe("3.1.0");
    const schemas = (
      document["components"] as {
        schemas: Record<string, { properties?: Record<string, unknown> }>;
      }
    ).schemas;
    expect(Object.keys(schemas["OrderRequest"]?.properties ?? {})).toContain("intent_id");
    expect(Object.keys(schemas["OrderResult"]?.properties ?? {})).toContain("slippage_bps");
    const docs = await app.request("/docs");
    expect(docs.headers.get("content-type")).toContain("text/html");
    expect(await docs.text()).toContain("POST /orders");
    expect(await (await app.request("/metrics")).text()).toContain("orders_total");
    expect((await app.request("/nowhere")).status).toBe(404);
  });
});
