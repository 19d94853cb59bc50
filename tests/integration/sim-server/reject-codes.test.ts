// Engine refusals → Binance answers, including the USDⓈ-M filter rules the recorded BTCUSDT and
// ETHUSDT rules cannot reach over HTTP (their quantity precision equals their step, so -4004
// and -4023 need a coarser grid) and the trigger-price rules (-4006 / -4007).

import { describe, expect, test } from "bun:test";
import { rejectFailure } from "../../../adapters/sim/binance-server/reject-codes.ts";
import { defaultSymbolSpecs, type SimReject } from "../../../adapters/sim/engine/index.ts";

const futuresSpec = defaultSymbolSpecs().find(
  (spec) => spec.rules.market === "FUT" && spec.rules.symbol === "BTCUSDT",
)!;

function filter(name: SimReject["filter"], rule: string, message = "qty"): SimReject {
  return { code: "FILTER", message, filter: name, rule, detail: null };
}

describe("USDⓈ-M filter rules", () => {
  const rows: readonly [SimReject, number, string][] = [
    [filter("LOT_SIZE", "min_qty"), -4004, "Quantity less than min quantity."],
    [filter("LOT_SIZE", "step_size"), -4023, "Qty not increased by step size."],
    [filter("MARKET_LOT_SIZE", "step_size"), -4023, "Qty not increased by step size."],
    [filter("LOT_SIZE", "max_qty"), -4005, "Quantity greater than max quantity."],
    [filter("PRICE_FILTER", "min_price", "price 1"), -4013, "Price less than min price."],
    [
      filter("PRICE_FILTER", "max_price", "stop_price 9"),
      -4007,
      "Stop price greater than max price.",
    ],
    [filter("PRICE_FILTER", "positive", "stop_price 0"), -4006, "Stop price less than zero."],
    [filter("MAX_NUM_ORDERS", "max_num_orders"), -2025, "Reach max open order limit."],
    [
      filter("MIN_NOTIONAL", "min_notional"),
      -4164,
      "Order's notional must be no smaller than 50.0 (unless you choose reduce only)",
    ],
  ];
  for (const [reject, code, msg] of rows) {
    test(`${reject.filter} ${reject.rule} → ${code}`, () => {
      expect(rejectFailure("FUT", reject, "PLACE", futuresSpec)).toEqual({
        status: 400,
        code,
        msg,
      });
    });
  }
});

describe("spot and shared refusals", () => {
  test("spot filters are -1013 'Filter failure: X'", () => {
    expect(
      rejectFailure("SPOT", filter("MAX_NUM_ORDERS", "max_num_orders"), "PLACE", null),
    ).toEqual({
      status: 400,
      code: -1013,
      msg: "Filter failure: MAX_NUM_ORDERS",
    });
  });

  test("unknown orders: -2011 on cancel, -2013 on query, both markets", () => {
    const unknown: SimReject = {
      code: "UNKNOWN_ORDER",
      message: "",
      filter: null,
      rule: null,
      detail: null,
    };
    for (const market of ["SPOT", "FUT"] as const) {
      expect(rejectFailure(market, unknown, "CANCEL", null).code).toBe(-2011);
      expect(rejectFailure(market, unknown, "QUERY", null).code).toBe(-2013);
    }
  });

  test("margin type locked by open orders is -4047", () => {
    const locked: SimReject = {
      code: "MARGIN_TYPE_LOCKED",
      message: "",
      filter: null,
      rule: null,
      detail: "OPEN_ORDERS",
    };
    expect(rejectFailure("FUT", locked, "OTHER", futuresSpec)).toEqual({
      status: 400,
      code: -4047,
      msg: "Margin type cannot be changed if there exists open orders.",
    });
  });
});
