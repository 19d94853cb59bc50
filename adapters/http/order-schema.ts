// Request schemas for POST /orders and POST /cancel (valibot), and their conversion into the
// application's types. Every failure names the field and the rule that failed.

import * as v from "valibot";
import {
  type Decimal,
  decimalScaleMax,
  isPositive,
  parseDecimal,
} from "../../domain/decimal/index.ts";
import {
  clientOrderIdPattern,
  type ExecPolicyRequest,
  intentIdPattern,
  type OrderIntent,
} from "../../domain/order/index.ts";
import type { CancelRequest } from "../../application/cancel-order/cancel-order.ts";

const numberLike = v.union(
  [v.string(), v.number()],
  'must be a decimal number or a string such as "0.002"',
);
const integerMs = (max: number) =>
  v.pipe(
    v.number("must be a whole number of milliseconds"),
    v.integer("must be a whole number of milliseconds"),
    v.minValue(0, "must be at least 0"),
    v.maxValue(max, `must be at most ${max}`),
  );

const twapSchema = v.object({
  slices: v.optional(
    v.pipe(
      v.number("must be a number"),
      v.integer("must be a whole number"),
      v.minValue(1, "must be at least 1"),
      v.maxValue(1_000, "must be at most 1000"),
    ),
  ),
  gap_ms: integerMs(3_600_000),
  jitter_ms: v.optional(integerMs(3_600_000)),
  curve: v.optional(v.picklist(["uniform", "sqrt"], "must be uniform or sqrt")),
});

const execPolicySchema = v.object({
  type: v.optional(
    v.picklist(
      ["MARKET", "LIMIT", "MAKER_THEN_TAKER", "TWAP", "OCO"],
      "must be MARKET, LIMIT, MAKER_THEN_TAKER, TWAP or OCO",
    ),
  ),
  order_type: v.optional(v.picklist(["MARKET", "LIMIT"], "must be MARKET or LIMIT")),
  price: v.optional(numberLike),
  time_in_force: v.optional(v.picklist(["GTC", "IOC", "FOK"], "must be GTC, IOC or FOK")),
  maker_wait_ms: v.optional(integerMs(600_000)),
  twap: v.optional(twapSchema),
  tp_price: v.optional(numberLike),
  sl_price: v.optional(numberLike),
});

const stopLossSchema = v.object({
  type: v.optional(v.literal("STOP_MARKET", "must be STOP_MARKET"), "STOP_MARKET"),
  price: numberLike,
});

const takeProfitSchema = v.object({
  type: v.optional(
    v.literal("TAKE_PROFIT_MARKET", "must be TAKE_PROFIT_MARKET"),
    "TAKE_PROFIT_MARKET",
  ),
  price: v.optional(numberLike),
  target: v.optional(
    v.picklist(["net_profit_usdt", "roe", "price"], "must be net_profit_usdt, roe or price"),
  ),
  value: v.optional(numberLike),
});

export const orderRequestSchema = v.object({
  intent_id: v.pipe(
    v.string("must be a string"),
    v.regex(intentIdPattern, "must be 1-64 characters of A-Z a-z 0-9 . _ : -"),
  ),
  uuid: v.optional(
    v.pipe(v.string("must be a string"), v.maxLength(128, "must be at most 128 characters")),
  ),
  kind: v.optional(
    v.picklist(["ENTRY", "EXIT", "REDUCE", "PROTECT"], "must be ENTRY, EXIT, REDUCE or PROTECT"),
  ),
  market: v.picklist(["FUT", "SPOT"], "must be FUT or SPOT"),
  symbol: v.pipe(
    v.string("must be a string"),
    v.regex(/^[A-Z0-9]{2,30}$/, "must be an exchange symbol such as BTCUSDT"),
  ),
  side: v.picklist(["BUY", "SELL"], "must be BUY or SELL"),
  qty: v.optional(numberLike),
  size: v.optional(numberLike),
  client_order_id: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.regex(clientOrderIdPattern, "must match ^[.A-Z:/a-z0-9_-]{1,36}$"),
    ),
  ),
  reduce_only: v.optional(v.boolean("must be true or false")),
  exec_policy: v.optional(execPolicySchema),
  sl: v.optional(stopLossSchema),
  tp: v.optional(takeProfitSchema),
});

export const cancelRequestSchema = v.object({
  order_id: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.minLength(1, "must not be empty"),
      v.maxLength(128, "must be at most 128 characters"),
    ),
  ),
  client_order_id: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.minLength(1, "must not be empty"),
      v.maxLength(64, "must be at most 64 characters"),
    ),
  ),
  cascade_oco: v.optional(v.boolean("must be true or false"), true),
  reason: v.optional(
    v.pipe(v.string("must be a string"), v.maxLength(256, "must be at most 256 characters")),
  ),
  // "then" is the wire name DESIGN §3.3 defines (the linter's thenable rule is off for it).
  then: v.optional(v.picklist(["NONE", "MARKET"], "must be NONE or MARKET"), "NONE"),
});

export interface FieldProblem {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

export type Conversion<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

function problem<T>(field: string, rule: string, message: string): Conversion<T> {
  return { ok: false, problem: { field, rule, message: `${field} ${message}` } };
}

function firstIssue<T>(issues: readonly v.BaseIssue<unknown>[]): Conversion<T> {
  const issue = issues[0];
  const field = issue?.path?.map((item) => String(item.key)).join(".") ?? "body";
  const missing = issue?.input === undefined && issue?.kind === "schema";
  const rule = missing ? "required" : (issue?.type ?? "schema");
  const message = missing ? "is required" : (issue?.message ?? "is invalid");
  return problem(field, rule, message);
}

/** Decimal input: a JSON number or a string, positive, plain notation, at most 18 decimals. */
export function toDecimal(field: string, input: string | number): Conversion<Decimal> {
  if (typeof input === "number" && !Number.isFinite(input))
    return problem(field, "finite", "must be a finite number");
  const text = typeof input === "number" ? String(input) : input.trim();
  if (/e/i.test(text))
    return problem(field, "plain_decimal", "must be a plain decimal, not exponent notation");
  const parsed = parseDecimal(text);
  if (!parsed.ok) {
    if (parsed.error === "TOO_PRECISE")
      return problem(field, "precision", `must have at most ${decimalScaleMax} decimals`);
    if (parsed.error === "TOO_LARGE") return problem(field, "range", "is too large");
    return problem(field, "decimal", "must be a decimal number such as 0.002");
  }
  if (!isPositive(parsed.value)) return problem(field, "positive", "must be greater than 0");
  return { ok: true, value: parsed.value };
}

function optionalDecimal(
  field: string,
  input: string | number | undefined,
): Conversion<Decimal | null> {
  if (input === undefined) return { ok: true, value: null };
  return toDecimal(field, input);
}

type OrderBody = v.InferOutput<typeof orderRequestSchema>;

/** Accepts the flat form and the `{ intent: {...} }` envelope. */
export function parseOrderRequest(body: unknown): Conversion<OrderIntent> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return problem("body", "object", "must be a JSON object");
  }
  const envelope = (body as Record<string, unknown>)["intent"];
  const fields = envelope !== undefined ? envelope : body;
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
    return problem("intent", "object", "must be a JSON object");
  }
  const parsed = v.safeParse(orderRequestSchema, fields);
  if (!parsed.success) return firstIssue(parsed.issues);
  return toIntent(parsed.output);
}

function toIntent(body: OrderBody): Conversion<OrderIntent> {
  if (body.qty !== undefined && body.size !== undefined) {
    return problem("qty", "one_of", "and size are synonyms: send one of them");
  }
  const rawQty = body.qty ?? body.size;
  if (rawQty === undefined) return problem("qty", "required", "is required (or its synonym size)");
  const qty = toDecimal(body.qty !== undefined ? "qty" : "size", rawQty);
  if (!qty.ok) return qty;
  const policy = toPolicy(body.exec_policy);
  if (!policy.ok) return policy;
  const sl =
    body.sl === undefined
      ? { ok: true as const, value: null }
      : toDecimal("sl.price", body.sl.price);
  if (!sl.ok) return sl;
  const tp = toTakeProfit(body.tp);
  if (!tp.ok) return tp;
  return {
    ok: true,
    value: {
      intentId: body.intent_id,
      uuid: body.uuid ?? null,
      kind: body.kind ?? "ENTRY",
      market: body.market,
      symbol: body.symbol,
      side: body.side,
      qty: qty.value,
      clientOrderId: body.client_order_id ?? null,
      reduceOnly: body.reduce_only ?? false,
      execPolicy: policy.value,
      sl: sl.value === null ? null : { type: "STOP_MARKET", price: sl.value },
      tp: tp.value,
    },
  };
}

function toPolicy(policy: OrderBody["exec_policy"]): Conversion<ExecPolicyRequest | null> {
  if (policy === undefined) return { ok: true, value: null };
  if (
    policy.type !== undefined &&
    policy.order_type !== undefined &&
    policy.type !== policy.order_type
  ) {
    return problem("exec_policy.order_type", "alias", "is an alias of type and must agree with it");
  }
  const price = optionalDecimal("exec_policy.price", policy.price);
  if (!price.ok) return price;
  const tpPrice = optionalDecimal("exec_policy.tp_price", policy.tp_price);
  if (!tpPrice.ok) return tpPrice;
  const slPrice = optionalDecimal("exec_policy.sl_price", policy.sl_price);
  if (!slPrice.ok) return slPrice;
  const type = policy.type ?? policy.order_type ?? null;
  if (type === "MARKET" && price.value !== null) {
    return problem(
      "exec_policy.price",
      "market_without_price",
      "must not be set for a MARKET policy",
    );
  }
  if (type === "TWAP" && policy.twap === undefined) {
    return problem("exec_policy.twap", "required", "is required for a TWAP policy");
  }
  return {
    ok: true,
    value: {
      type,
      price: price.value,
      timeInForce: policy.time_in_force ?? null,
      makerWaitMs: policy.maker_wait_ms ?? null,
      twap:
        policy.twap === undefined
          ? null
          : {
              slices: policy.twap.slices ?? null,
              gapMs: policy.twap.gap_ms,
              jitterMs: policy.twap.jitter_ms ?? 0,
              curve: policy.twap.curve ?? "uniform",
            },
      tpPrice: tpPrice.value,
      slPrice: slPrice.value,
    },
  };
}

function toTakeProfit(tp: OrderBody["tp"]): Conversion<OrderIntent["tp"]> {
  if (tp === undefined) return { ok: true, value: null };
  if (tp.price !== undefined && (tp.target !== undefined || tp.value !== undefined)) {
    return problem("tp", "one_of", "takes either price, or target with value");
  }
  if (tp.price !== undefined) {
    const price = toDecimal("tp.price", tp.price);
    return price.ok
      ? { ok: true, value: { type: "TAKE_PROFIT_MARKET", target: "price", value: price.value } }
      : price;
  }
  if (tp.target === undefined || tp.value === undefined) {
    return problem(
      "tp",
      "required",
      "needs price, or target (net_profit_usdt, roe, price) with value",
    );
  }
  const value = toDecimal("tp.value", tp.value);
  if (!value.ok) return value;
  return { ok: true, value: { type: "TAKE_PROFIT_MARKET", target: tp.target, value: value.value } };
}

export function parseCancelRequest(body: unknown): Conversion<CancelRequest> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return problem("body", "object", "must be a JSON object");
  }
  const parsed = v.safeParse(cancelRequestSchema, body);
  if (!parsed.success) return firstIssue(parsed.issues);
  const request = parsed.output;
  if ((request.order_id === undefined) === (request.client_order_id === undefined)) {
    return problem("order_id", "exactly_one", "or client_order_id: send exactly one of them");
  }
  return {
    ok: true,
    value: {
      orderId: request.order_id ?? null,
      clientOrderId: request.client_order_id ?? null,
      cascadeOco: request.cascade_oco,
      reason: request.reason ?? null,
      afterCancel: request.then,
    },
  };
}
