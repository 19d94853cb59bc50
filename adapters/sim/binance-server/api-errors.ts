// Binance's error answers as values: HTTP status, code and message, with the messages quoted
// from Binance's error pages (spot errors.md, USDⓈ-M error-code). Codes are stable; the texts
// are what clients match on, so they are reproduced byte for byte.

import type { Market } from "../../../domain/instrument/index.ts";

export interface ApiFailure {
  readonly status: number;
  readonly code: number;
  readonly msg: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function failure(code: number, msg: string, status = 400): ApiFailure {
  return { status, code, msg };
}

export const decimalRange = "^([0-9]{1,20})(\\.[0-9]{1,20})?$";
export const integerRange = "^[0-9]{1,20}$";
export const clientIdRange = "^[\\.A-Z\\:/a-z0-9_-]{1,36}$";

export const errors = {
  unknown: () => failure(-1000, "An unknown error occurred while processing the request.", 500),
  illegalChars: () => failure(-1100, "Illegal characters found in a parameter."),
  illegalParam: (name: string, range: string) =>
    failure(-1100, `Illegal characters found in parameter '${name}'; legal range is '${range}'.`),
  duplicateParams: () => failure(-1101, "Duplicate values for a parameter detected."),
  mandatory: (name: string) =>
    failure(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  eitherOf: (first: string, second: string) =>
    failure(-1102, `Param '${first}' or '${second}' must be sent, but both were empty/null!`),
  tooLarge: (name: string, limit: string) =>
    failure(-1102, `'${name}' contains unexpected value. Cannot be greater than ${limit}.`),
  notRequired: (name: string) => failure(-1106, `Parameter '${name}' sent when not required.`),
  tooPrecise: (market: Market, name: string) =>
    market === "SPOT"
      ? failure(-1111, `Parameter '${name}' has too much precision.`)
      : failure(-1111, "Precision is over the maximum defined for this asset."),
  invalidTimeInForce: () => failure(-1115, "Invalid timeInForce."),
  invalidOrderType: () => failure(-1116, "Invalid orderType."),
  invalidSide: () => failure(-1117, "Invalid side."),
  emptyClientOrderId: () => failure(-1118, "New client order ID was empty."),
  invalidSymbol: () => failure(-1121, "Invalid symbol."),
  listenKeyMissing: () =>
    failure(
      -1125,
      "This listenKey does not exist. Please use `POST /fapi/v1/listenKey` to recreate `listenKey`",
    ),
  windowTooLong: (hours: number) =>
    failure(-1127, `More than ${hours} hours between startTime and endTime.`),
  badCombination: () => failure(-1128, "Combination of optional parameters invalid."),
  invalidParameter: (name: string) =>
    failure(-1130, `Data sent for parameter '${name}' is not valid.`),
  invalidResponseType: () => failure(-1136, "Invalid newOrderRespType."),
  ocoTypeRejected: () => failure(-1158, "Order type not supported in OCO."),
  timestampAhead: () =>
    failure(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  timestampOutside: () =>
    failure(-1021, "Timestamp for this request is outside of the recvWindow."),
  badSignature: () => failure(-1022, "Signature for this request is not valid."),
  apiKeyFormat: () => failure(-2014, "API-key format invalid.", 401),
  apiKeyRejected: () => failure(-2015, "Invalid API-key, IP, or permissions for action.", 401),
  newOrderRejected: (msg: string) => failure(-2010, msg),
  cancelRejected: (msg: string) => failure(-2011, msg),
  noSuchOrder: () => failure(-2013, "Order does not exist."),
  subscriptionActive: () => failure(-2035, "User Data Stream subscription already active."),
  subscriptionInactive: () => failure(-2036, "User Data Stream subscription not active."),
  transferInsufficient: () => failure(-5013, "Asset transfer failed: insufficient balance"),
  unsupportedOperation: () => failure(-1020, "This operation is not supported."),
  notFound: () => failure(-1000, "Not found.", 404),
  methodNotAllowed: () => failure(-1000, "Method not allowed.", 405),
};

export const futuresErrors = {
  invalidClientOrderId: () => failure(-4015, "Client order id is not valid."),
  depthLimit: (limit: string) => failure(-4021, `'${limit}' is not valid depth limit.`),
  invalidLeverage: (leverage: string) => failure(-4028, `Leverage ${leverage} is not valid`),
  invalidWorkingType: (value: string) => failure(-4031, `Invalid parameter working type: ${value}`),
  tooManyAlgoOrders: () => failure(-4045, "Reach max stop order limit."),
  marginTypeUnchanged: () => failure(-4046, "No need to change margin type."),
  marginTypeOpenOrders: () =>
    failure(-4047, "Margin type cannot be changed if there exists open orders."),
  marginTypePosition: () =>
    failure(-4048, "Margin type cannot be changed if there exists position."),
  positionSide: () => failure(-4061, "Order's position side does not match user's setting."),
  positionSideUnchanged: () => failure(-4059, "No need to change position side."),
  useAlgoEndpoint: () =>
    failure(
      -4120,
      "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
    ),
  duplicateClientId: () => failure(-4116, "clientOrderId is duplicated"),
  quantityWithClosePosition: () =>
    failure(-4137, "Quantity must be zero with closePosition equals true."),
  postOnlyWouldTake: () =>
    failure(
      -5022,
      "Due to the order could not be executed as maker, the Post Only order will be rejected. " +
        "The order will not be recorded in the order history",
    ),
  insufficientMargin: () => failure(-2019, "Margin is insufficient."),
  reduceOnlyRejected: () => failure(-2022, "ReduceOnly Order is rejected."),
  wouldTrigger: () => failure(-2021, "Order would immediately trigger."),
  maxOpenOrders: () => failure(-2025, "Reach max open order limit."),
};

/** Rate limits and bans (HTTP 429 / 418), with Retry-After in whole seconds. */
export function rateLimited(market: Market, retryAfterMs: number, limitText: string): ApiFailure {
  const msg =
    market === "SPOT"
      ? `Too much request weight used; current limit is ${limitText}. ` +
        "Please use WebSocket Streams for live updates to avoid polling the API."
      : `Too many requests; current limit is ${limitText}. ` +
        "Please use the websocket for live updates to avoid polling the API.";
  return { status: 429, code: -1003, msg, headers: retryAfter(retryAfterMs) };
}

export function banned(market: Market, untilMs: number, retryAfterMs: number): ApiFailure {
  const msg =
    market === "SPOT"
      ? `Way too much request weight used; IP banned until ${untilMs}. ` +
        "Please use WebSocket Streams for live updates to avoid bans."
      : `Way too many requests; IP banned until ${untilMs}. ` +
        "Please use the websocket for live updates to avoid bans.";
  return { status: 418, code: -1003, msg, headers: retryAfter(retryAfterMs) };
}

export function tooManyOrders(limit: number, interval: string, retryAfterMs: number): ApiFailure {
  return {
    status: 429,
    code: -1015,
    msg: `Too many new orders; current limit is ${limit} orders per ${interval}.`,
    headers: retryAfter(retryAfterMs),
  };
}

/** 503 after the request reached the engine: Binance cannot say whether it executed. */
export function unknownOutcome(): ApiFailure {
  return failure(-1000, "Unknown error, please check your request or try again later.", 503);
}

/** 503 before the request reached the engine: a definite failure. */
export function serviceUnavailable(): ApiFailure {
  return failure(-1000, "Service Unavailable.", 503);
}

function retryAfter(ms: number): Record<string, string> {
  return { "Retry-After": String(Math.max(1, Math.ceil(ms / 1000))) };
}
