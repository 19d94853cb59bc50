// The OpenAPI 3.1 document, generated from the same valibot schemas that validate requests
// (responses are described by valibot schemas here too), and a self-contained /docs page.

import { toJsonSchema } from "@valibot/to-json-schema";
import * as v from "valibot";
import { cancelRequestSchema, orderRequestSchema } from "./order-schema.ts";

const decimalText = v.pipe(v.string(), v.description('exact decimal as a string, e.g. "0.002"'));

const fillSchema = v.object({
  fill_id: v.string(),
  order_id: v.string(),
  exchange_trade_id: v.string(),
  price: decimalText,
  qty: decimalText,
  fee: decimalText,
  fee_asset: v.string(),
  liquidity: v.picklist(["MAKER", "TAKER"]),
  slippage_bps: v.nullable(v.number()),
  ts: v.number(),
});

const legSchema = v.object({
  role: v.picklist(["TP", "SL", "ENTRY"]),
  order_id: v.string(),
  client_order_id: v.string(),
  exchange_order_id: v.optional(v.string()),
  type: v.string(),
  status: v.string(),
  price: v.optional(decimalText),
  stop_price: v.optional(decimalText),
  guardian: v.optional(v.boolean()),
});

export const orderResultSchema = v.object({
  result: v.picklist(["OK", "FAIL"]),
  status: v.picklist(["NEW", "ACCEPTED", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED"]),
  intent_id: v.string(),
  uuid: v.optional(v.string()),
  order_id: v.pipe(v.string(), v.description("router id of the parent order")),
  client_order_id: v.string(),
  exchange_order_id: v.optional(v.string()),
  order_ids: v.array(v.string()),
  market: v.optional(v.string()),
  symbol: v.optional(v.string()),
  side: v.optional(v.string()),
  qty: v.optional(decimalText),
  avg_price: v.optional(decimalText),
  filled_avg: v.optional(decimalText),
  filled_qty: decimalText,
  fills: v.array(fillSchema),
  slippage_bps: v.optional(
    v.pipe(v.number(), v.description("quantity-weighted; positive is a cost")),
  ),
  legs: v.array(legSchema),
  exec: v.optional(
    v.object({
      policy: v.string(),
      reason: v.optional(v.string()),
      maker_timeout: v.optional(v.boolean()),
      slices_total: v.optional(v.number()),
      slices_done: v.optional(v.number()),
      fell_back_to_taker: v.optional(v.boolean()),
    }),
  ),
  code: v.optional(v.string()),
  message: v.optional(v.string()),
  field: v.optional(v.string()),
  rule: v.optional(v.string()),
});

export const cancelResponseSchema = v.object({
  result: v.picklist(["OK", "FAIL"]),
  order_id: v.string(),
  client_order_id: v.string(),
  status: v.string(),
  canceled_ids: v.array(v.string()),
  message: v.string(),
  code: v.optional(v.string()),
  filled_qty: v.optional(decimalText),
  market_order_id: v.optional(v.string()),
});

const json = (schema: v.GenericSchema) => {
  const { $schema: _ignored, ...rest } = toJsonSchema(schema, { errorMode: "ignore" }) as Record<
    string,
    unknown
  >;
  return rest;
};

const response = (description: string, ref: string) => ({
  description,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } },
});

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "S4 Order Router",
      version: "0.1.0",
      description: "Turns order intents into Binance orders.",
    },
    paths: {
      "/orders": {
        post: {
          summary: "Execute an intent (flat form or {intent: {...}}; qty and size are synonyms)",
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/OrderRequest" } },
            },
          },
          responses: {
            "200": response(
              "the result (FILLED, ACCEPTED, PARTIALLY_FILLED, CANCELED)",
              "OrderResult",
            ),
            "202": response("sent, outcome not yet known (code OUTCOME_UNKNOWN)", "OrderResult"),
            "400": response("malformed or invalid (field and rule named)", "OrderResult"),
            "413": response("body too large", "OrderResult"),
            "422": response(
              "business refusal (MIN_NOTIONAL, KILL_SWITCH, IDEMPOTENCY_MISMATCH, ...)",
              "OrderResult",
            ),
            "503": response(
              "try later (CIRCUIT_OPEN, EXCHANGE_UNAVAILABLE), with Retry-After",
              "OrderResult",
            ),
          },
        },
      },
      "/cancel": {
        post: {
          summary: "Cancel by order_id XOR client_order_id",
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/CancelRequest" } },
            },
          },
          responses: {
            "200": response("cancelled (also when already cancelled)", "CancelResponse"),
            "400": response("both or neither id, or invalid", "CancelResponse"),
            "404": response("unknown order", "CancelResponse"),
            "409": response("already filled", "CancelResponse"),
          },
        },
      },
      "/orders/{id}": {
        get: {
          summary: "The intent's current result, by intent id, router order id or client order id",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": response("found", "OrderResult"),
            "404": response("unknown id", "OrderResult"),
          },
        },
      },
      "/health": {
        get: {
          summary: "Dependencies, route table, breaker, kill switch; 200 when all up, else 503",
          responses: { "200": { description: "healthy" }, "503": { description: "degraded" } },
        },
      },
      "/ready": {
        get: {
          summary: "200 once configuration, rules and stores are loaded",
          responses: { "200": { description: "ready" }, "503": { description: "not ready" } },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus text format",
          responses: { "200": { description: "metrics" } },
        },
      },
    },
    components: {
      schemas: {
        OrderRequest: json(orderRequestSchema),
        CancelRequest: json(cancelRequestSchema),
        OrderResult: json(orderResultSchema),
        CancelResponse: json(cancelResponseSchema),
      },
    },
  };
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A browsable reference with no external assets. */
export function docsPage(document: Record<string, unknown>): string {
  const paths = document["paths"] as Record<
    string,
    Record<string, { summary?: string; responses?: Record<string, { description?: string }> }>
  >;
  const schemas = (document["components"] as { schemas: Record<string, unknown> }).schemas;
  const routes = Object.entries(paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => {
        const codes = Object.entries(operation.responses ?? {})
          .map(
            ([code, answer]) =>
              `<li><code>${code}</code> ${escapeHtml(answer.description ?? "")}</li>`,
          )
          .join("");
        return `<h3><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h3><p>${escapeHtml(operation.summary ?? "")}</p><ul>${codes}</ul>`;
      }),
    )
    .join("\n");
  const models = Object.entries(schemas)
    .map(
      ([name, schema]) =>
        `<h3>${name}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`,
    )
    .join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>S4 Order Router API</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style>
</head><body><h1>S4 Order Router API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>
<h2>Endpoints</h2>${routes}<h2>Schemas</h2>${models}</body></html>`;
}
