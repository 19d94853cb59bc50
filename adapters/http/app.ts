// The Hono application: routes, body limits, JSON parsing and error bodies. Handlers translate
// requests into use-case calls and outcomes into statuses; they decide nothing else.

import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { CancelOrder } from "../../application/cancel-order/cancel-order.ts";
import type { Health } from "../../application/health/health.ts";
import type { LookupOrder } from "../../application/lookup-order/lookup-order.ts";
import type { PlaceOrder } from "../../application/place-order/place-order.ts";
import { refusalResult } from "../../application/shared/refusal.ts";
import type { Logger } from "../../ports/logger.ts";
import { docsPage, openApiDocument } from "./openapi.ts";
import { type FieldProblem, parseCancelRequest, parseOrderRequest } from "./order-schema.ts";
import { statusForCode, statusForResult } from "./status-map.ts";

export interface HttpDeps {
  readonly placeOrder: Pick<PlaceOrder, "execute">;
  readonly cancelOrder: Pick<CancelOrder, "execute">;
  readonly lookupOrder: Pick<LookupOrder, "execute">;
  readonly health: Health;
  readonly logger: Logger;
  readonly bodyMaxBytes: number;
  /** Prometheus exposition text. */
  readonly metricsText?: () => string | Promise<string>;
  /** Extra routes (OpenAPI, docs) mounted by the composition root. */
  readonly extend?: (app: Hono) => void;
}

type JsonBody = { ok: true; body: unknown } | { ok: false; message: string };

async function readJson(context: Context): Promise<JsonBody> {
  const text = await context.req.text();
  if (text.trim() === "")
    return { ok: false, message: "the request body is empty; send a JSON object" };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      message: `the request body is not valid JSON: ${(error as Error).message}`,
    };
  }
}

function intentIdOf(body: unknown): string {
  if (body === null || typeof body !== "object") return "";
  const record = body as Record<string, unknown>;
  const inner = record["intent"];
  const source =
    inner !== null && typeof inner === "object" ? (inner as Record<string, unknown>) : record;
  const id = source["intent_id"];
  return typeof id === "string" ? id.slice(0, 64) : "";
}

function orderFailure(
  context: Context,
  intentId: string,
  code: string,
  problem: Partial<FieldProblem> & { message: string },
) {
  const result = refusalResult(intentId, {
    code: code as "INVALID_REQUEST",
    message: problem.message,
    ...(problem.field === undefined ? {} : { field: problem.field }),
    ...(problem.rule === undefined ? {} : { rule: problem.rule }),
  });
  return context.json(result, statusForCode(code) as 400);
}

export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  const limit = bodyLimit({
    maxSize: deps.bodyMaxBytes,
    onError: (context) =>
      orderFailure(context, "", "PAYLOAD_TOO_LARGE", {
        field: "body",
        rule: "max_bytes",
        message: `the request body is larger than ${deps.bodyMaxBytes} bytes`,
      }),
  });

  app.post("/orders", limit, async (context) => {
    const json = await readJson(context);
    if (!json.ok)
      return orderFailure(context, "", "MALFORMED_JSON", {
        field: "body",
        rule: "json",
        message: json.message,
      });
    const intent = parseOrderRequest(json.body);
    if (!intent.ok)
      return orderFailure(context, intentIdOf(json.body), "INVALID_REQUEST", intent.problem);
    const outcome = await deps.placeOrder.execute(intent.value);
    if (outcome.retryAfterMs !== undefined) {
      context.header("Retry-After", String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1_000))));
    }
    return context.json(outcome.result, statusForResult(outcome.result) as 200);
  });

  app.post("/cancel", limit, async (context) => {
    const json = await readJson(context);
    if (!json.ok) {
      return context.json(cancelFailure("MALFORMED_JSON", "body", "json", json.message), 400);
    }
    const request = parseCancelRequest(json.body);
    if (!request.ok) {
      const { field, rule, message } = request.problem;
      return context.json(cancelFailure("INVALID_REQUEST", field, rule, message), 400);
    }
    const response = await deps.cancelOrder.execute(request.value);
    const status = response.code === undefined ? 200 : statusForCode(response.code);
    return context.json(response, status as 200);
  });

  app.get("/orders/:id", async (context) => {
    const id = context.req.param("id");
    if (id.length === 0 || id.length > 128) {
      return orderFailure(context, "", "INVALID_REQUEST", {
        field: "id",
        rule: "length",
        message: "id must be 1-128 characters",
      });
    }
    const result = await deps.lookupOrder.execute(id);
    if (result === null) {
      return orderFailure(context, "", "ORDER_NOT_FOUND", {
        field: "id",
        rule: "known_id",
        message: `no intent, order or client order id ${id} is known`,
      });
    }
    return context.json(result, 200);
  });

  app.get("/health", async (context) => {
    const report = await deps.health.report();
    return context.json(report, report.status === "ok" ? 200 : 503);
  });

  app.get("/ready", (context) => {
    const ready = deps.health.isReady();
    return context.json({ ready }, ready ? 200 : 503);
  });

  app.get("/metrics", async (context) => {
    context.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return context.body((await deps.metricsText?.()) ?? "");
  });

  const document = openApiDocument();
  const docs = docsPage(document);
  app.get("/openapi.json", (context) => context.json(document));
  app.get("/docs", (context) => context.html(docs));

  deps.extend?.(app);

  app.notFound((context) =>
    context.json(
      {
        result: "FAIL",
        code: "NOT_FOUND",
        message: `no route ${context.req.method} ${context.req.path}`,
      },
      404,
    ),
  );
  app.onError((error, context) => {
    deps.logger.error("request failed", {
      path: context.req.path,
      error: String(error),
      stack: (error as Error).stack,
    });
    return context.json(
      {
        result: "FAIL",
        code: "INTERNAL",
        message: "internal error; the request may be retried with the same intent_id",
      },
      500,
    );
  });
  return app;
}

function cancelFailure(code: string, field: string, rule: string, message: string) {
  return {
    result: "FAIL" as const,
    order_id: "",
    client_order_id: "",
    status: "REJECTED",
    canceled_ids: [],
    code,
    field,
    rule,
    message,
  };
}
