// Request parsing: both envelopes, qty/size, and a named field and rule for every bad input.

import { describe, expect, test } from "bun:test";
import { parseCancelRequest, parseOrderRequest } from "../../../adapters/http/order-schema.ts";
import { formatDecimal } from "../../../domain/decimal/index.ts";

const base = { intent_id: "i-1", market: "FUT", symbol: "BTCUSDT", side: "BUY", qty: 0.002 };

function problemOf(body: unknown) {
  const parsed = parseOrderRequest(body);
  if (parsed.ok) throw new Error("expected a problem");
  return parsed.problem;
}

describe("POST /orders body", () => {
  test("flat and envelope forms give the same intent", () => {
    const flat = parseOrderRequest(base);
    const envelope = parseOrderRequest({ intent: base });
    expect(flat.ok && envelope.ok).toBe(true);
    if (!flat.ok || !envelope.ok) return;
    expect(envelope.value).toEqual(flat.value);
    expect(formatDecimal(flat.value.qty)).toBe("0.002");
    expect(flat.value.kind).toBe("ENTRY");
  });

  test("size is a synonym of qty, and both at once is refused", () => {
    const { qty: _qty, ...withoutQty } = base;
    const viaSize = parseOrderRequest({ ...withoutQty, size: "0.002" });
    expect(viaSize.ok && formatDecimal(viaSize.value.qty)).toBe("0.002");
    expect(problemOf({ ...base, size: "0.002" }).rule).toBe("one_of");
    expect(problemOf(withoutQty)).toMatchObject({ field: "qty", rule: "required" });
  });

  test.each([
    [{ ...base, qty: -1 }, "qty", "positive"],
    [{ ...base, qty: 0 }, "qty", "positive"],
    [{ ...base, qty: 1e308 }, "qty", "plain_decimal"],
    [{ ...base, qty: "0.1234567890123456789012345678901234567890" }, "qty", "precision"],
    [{ ...base, qty: "NaN" }, "qty", "decimal"],
    [{ ...base, qty: "1e3" }, "qty", "plain_decimal"],
    [{ ...base, qty: "123456789012345678901234" }, "qty", "range"],
    [{ ...base, qty: true }, "qty", "union"],
    [{ ...base, market: "SWAP" }, "market", "picklist"],
    [{ ...base, side: "buy" }, "side", "picklist"],
    [{ ...base, intent_id: "" }, "intent_id", "regex"],
    [{ ...base, intent_id: "x".repeat(65) }, "intent_id", "regex"],
    [{ ...base, intent_id: "has space" }, "intent_id", "regex"],
    [{ ...base, intent_id: 7 }, "intent_id", "string"],
    [{ ...base, symbol: "btc/usdt" }, "symbol", "regex"],
    [{ ...base, client_order_id: "x".repeat(37) }, "client_order_id", "regex"],
    [{ ...base, reduce_only: "yes" }, "reduce_only", "boolean"],
    [{ ...base, sl: { type: "STOP_MARKET" } }, "sl.price", "required"],
    [{ ...base, tp: { type: "TAKE_PROFIT_MARKET" } }, "tp", "required"],
    [{ ...base, exec_policy: { type: "LIMIT", price: "abc" } }, "exec_policy.price", "decimal"],
    [
      { ...base, exec_policy: { type: "MARKET", price: "1" } },
      "exec_policy.price",
      "market_without_price",
    ],
    [{ ...base, exec_policy: { type: "TWAP" } }, "exec_policy.twap", "required"],
    [{ ...base, exec_policy: { maker_wait_ms: -5 } }, "exec_policy.maker_wait_ms", "min_value"],
    [
      { ...base, exec_policy: { type: "LIMIT", order_type: "MARKET" } },
      "exec_policy.order_type",
      "alias",
    ],
  ])("%j is refused on %s (%s)", (body, field, rule) => {
    const found = problemOf(body);
    expect(found.field).toBe(field);
    expect(found.rule).toBe(rule);
    expect(found.message).toContain(field.split(".")[0] ?? field);
  });

  test("missing market is named as required", () => {
    const { market: _market, ...rest } = base;
    expect(problemOf(rest)).toMatchObject({ field: "market", message: "market is required" });
  });

  test("non-objects are refused as a body", () => {
    expect(problemOf([1, 2]).field).toBe("body");
    expect(problemOf("text").field).toBe("body");
    expect(problemOf({ intent: 5 }).field).toBe("intent");
  });

  test("exec_policy, sl and tp targets convert", () => {
    const parsed = parseOrderRequest({
      ...base,
      exec_policy: { order_type: "LIMIT", price: "95000.1", time_in_force: "IOC" },
      sl: { type: "STOP_MARKET", price: 64800 },
      tp: { type: "TAKE_PROFIT_MARKET", target: "net_profit_usdt", value: 2.0 },
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.execPolicy?.type).toBe("LIMIT");
    expect(parsed.value.execPolicy?.timeInForce).toBe("IOC");
    expect(formatDecimal(parsed.value.sl?.price ?? { units: 0n, scale: 0 })).toBe("64800");
    expect(parsed.value.tp?.target).toBe("net_profit_usdt");
  });
});

describe("POST /cancel body", () => {
  test("exactly one of order_id and client_order_id", () => {
    expect(parseCancelRequest({ order_id: "a", client_order_id: "b" }).ok).toBe(false);
    expect(parseCancelRequest({}).ok).toBe(false);
    const parsed = parseCancelRequest({ client_order_id: "b", then: "MARKET" });
    expect(parsed.ok && parsed.value).toMatchObject({
      clientOrderId: "b",
      afterCancel: "MARKET",
      cascadeOco: true,
    });
  });

  test("bad values name their field", () => {
    const parsed = parseCancelRequest({ order_id: "a", then: "LIMIT" });
    expect(!parsed.ok && parsed.problem.field).toBe("then");
  });
});
