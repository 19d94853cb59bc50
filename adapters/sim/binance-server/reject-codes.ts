// Engine refusals into Binance's answers. Spot filter failures are -1013 "Filter failure: X" and
// matching-engine refusals -2010 with the engine's message; USDⓈ-M uses dedicated codes per
// filter rule (-4013/-4014/-4003/-4004/-4005/-4023/-4164 ...) and per refusal (-2019, -2022,
// -5022, -4116, -2021).

import type { Market } from "../../../domain/instrument/index.ts";
import type { SimReject, SimSymbolSpec } from "../engine/index.ts";
import { type ApiFailure, errors, failure, futuresErrors } from "./api-errors.ts";
import { atLeast } from "./wire-format.ts";

export type Operation = "PLACE" | "CANCEL" | "QUERY" | "OTHER";

/** The answer Binance gives for an engine refusal on `market` during `operation`. */
export function rejectFailure(
  market: Market,
  reject: SimReject,
  operation: Operation,
  spec: SimSymbolSpec | null,
): ApiFailure {
  if (reject.code === "UNKNOWN_SYMBOL") return errors.invalidSymbol();
  if (reject.code === "UNKNOWN_ORDER") {
    return operation === "CANCEL"
      ? errors.cancelRejected("Unknown order sent.")
      : errors.noSuchOrder();
  }
  return market === "SPOT" ? spotFailure(reject) : futuresFailure(reject, spec);
}

function spotFailure(reject: SimReject): ApiFailure {
  switch (reject.code) {
    case "FILTER":
      return failure(-1013, `Filter failure: ${reject.filter ?? "UNKNOWN"}`);
    case "INSUFFICIENT_BALANCE":
      return errors.newOrderRejected("Account has insufficient balance for requested action.");
    case "POST_ONLY_WOULD_TAKE":
      return errors.newOrderRejected("Order would immediately match and take.");
    case "WOULD_TRIGGER_IMMEDIATELY":
      return errors.newOrderRejected("Order would trigger immediately.");
    case "DUPLICATE_CLIENT_ORDER_ID":
      return errors.newOrderRejected("Duplicate order sent.");
    case "OCO_BAD_PRICES":
      return errors.newOrderRejected(
        "The relationship of the prices for the orders is not correct.",
      );
    case "OCO_BAD_TYPES":
      return errors.ocoTypeRejected();
    default:
      return failure(-1013, reject.message);
  }
}

function futuresFailure(reject: SimReject, spec: SimSymbolSpec | null): ApiFailure {
  switch (reject.code) {
    case "FILTER":
      return futuresFilterFailure(reject, spec);
    case "INSUFFICIENT_BALANCE":
    case "INSUFFICIENT_MARGIN":
      return futuresErrors.insufficientMargin();
    case "REDUCE_ONLY_REJECTED":
      return futuresErrors.reduceOnlyRejected();
    case "POST_ONLY_WOULD_TAKE":
      return futuresErrors.postOnlyWouldTake();
    case "WOULD_TRIGGER_IMMEDIATELY":
      return futuresErrors.wouldTrigger();
    case "DUPLICATE_CLIENT_ORDER_ID":
      return futuresErrors.duplicateClientId();
    case "UNSUPPORTED_ORDER_TYPE":
      return futuresErrors.useAlgoEndpoint();
    case "INVALID_LEVERAGE":
      return futuresErrors.invalidLeverage(reject.message.replace(/^Leverage (\S+).*$/, "$1"));
    case "MARGIN_TYPE_LOCKED":
      return reject.detail === "POSITION"
        ? futuresErrors.marginTypePosition()
        : futuresErrors.marginTypeOpenOrders();
    case "TOO_MANY_ALGO_ORDERS":
      return futuresErrors.tooManyAlgoOrders();
    default:
      return failure(-1130, reject.message);
  }
}

/** Futures filter rules have their own codes; the stop/trigger price has -4006/-4007. */
function futuresFilterFailure(reject: SimReject, spec: SimSymbolSpec | null): ApiFailure {
  const stop = reject.message.startsWith("stop_price");
  switch (`${reject.filter}:${reject.rule}`) {
    case "PRICE_FILTER:positive":
      return stop
        ? failure(-4006, "Stop price less than zero.")
        : failure(-4001, "Price less than 0.");
    case "PRICE_FILTER:min_price":
      return stop
        ? failure(-4006, "Stop price less than zero.")
        : failure(-4013, "Price less than min price.");
    case "PRICE_FILTER:max_price":
      return stop
        ? failure(-4007, "Stop price greater than max price.")
        : failure(-4002, "Price greater than max price.");
    case "PRICE_FILTER:tick_size":
      return failure(-4014, "Price not increased by tick size.");
    case "PERCENT_PRICE:multiplier_up":
      return failure(-4016, "Price is higher than mark price multiplier cap.");
    case "PERCENT_PRICE:multiplier_down":
      return failure(-4024, "Price is lower than mark price multiplier floor.");
    case "LOT_SIZE:positive":
    case "MARKET_LOT_SIZE:positive":
      return failure(-4003, "Quantity less than zero.");
    case "LOT_SIZE:min_qty":
    case "MARKET_LOT_SIZE:min_qty":
      return failure(-4004, "Quantity less than min quantity.");
    case "LOT_SIZE:max_qty":
    case "MARKET_LOT_SIZE:max_qty":
      return failure(-4005, "Quantity greater than max quantity.");
    case "LOT_SIZE:step_size":
    case "MARKET_LOT_SIZE:step_size":
      return failure(-4023, "Qty not increased by step size.");
    case "MIN_NOTIONAL:min_notional":
      return minNotionalFailure(spec);
    case "MAX_NUM_ORDERS:max_num_orders":
      return futuresErrors.maxOpenOrders();
    default:
      return failure(-1013, reject.message);
  }
}

function minNotionalFailure(spec: SimSymbolSpec | null): ApiFailure {
  const shown = atLeast(spec?.rules.notional?.min ?? null, 1);
  return failure(
    -4164,
    `Order's notional must be no smaller than ${shown} (unless you choose reduce only)`,
  );
}
