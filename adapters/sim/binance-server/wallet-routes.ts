// Wallet (/sapi/v1/asset/transfer): universal transfers between spot and USDⓈ-M. MAIN_UMFUTURE
// moves spot → futures, UMFUTURE_MAIN the reverse; other types are not simulated (-1130).
// Insufficient funds answer -5013 "Asset transfer failed: insufficient balance".

import { errors } from "./api-errors.ts";
import {
  answer,
  type HandlerContext,
  type HandlerResult,
  invalid,
  refuse,
  type Route,
  weight,
} from "./route.ts";
import { spot } from "./wire-format.ts";

const transferTypes = ["MAIN_UMFUTURE", "UMFUTURE_MAIN"] as const;
type TransferType = (typeof transferTypes)[number];
/** History rows per page at most (Binance: size ≤ 100). */
export const transferRowsMax = 100;

function transferType(context: HandlerContext): TransferType | null {
  const invalidType = () => errors.invalidParameter("type");
  return context.read.oneOf("type", transferTypes, invalidType, true);
}

function transfer(context: HandlerContext): HandlerResult {
  const type = transferType(context);
  const asset = context.read.required("asset");
  const amount = context.read.decimal("amount", 8, true);
  if (type === null || amount === null) return invalid(context.read)!;
  const direction = type === "MAIN_UMFUTURE" ? "SPOT_TO_FUT" : "FUT_TO_SPOT";
  const moved = context.venue.engine.transfer(direction, asset, amount, context.nowMs);
  if (moved.ok) return answer({ tranId: moved.value.transferId });
  if (moved.reject.code === "INSUFFICIENT_BALANCE") return refuse(errors.transferInsufficient());
  return refuse(errors.invalidParameter(asset === "USDT" ? "amount" : "asset"));
}

function history(context: HandlerContext): HandlerResult {
  const type = transferType(context);
  const size = Math.min(context.read.integer("size") ?? 10, transferRowsMax);
  if (type === null) return invalid(context.read)!;
  const direction = type === "MAIN_UMFUTURE" ? "SPOT_TO_FUT" : "FUT_TO_SPOT";
  const rows = context.venue.engine
    .transferHistory()
    .filter((record) => record.direction === direction)
    .reverse();
  return answer({
    total: rows.length,
    rows: rows.slice(0, size).map((record) => ({
      asset: record.asset,
      amount: spot(record.amount),
      type,
      status: "CONFIRMED",
      tranId: record.transferId,
      timestamp: record.tsMs,
    })),
  });
}

export const walletRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/sapi/v1/asset/transfer",
    market: "SPOT",
    security: "SIGNED",
    kind: "ACCOUNT",
    weight: weight(1),
    handle: transfer,
  },
  {
    method: "GET",
    path: "/sapi/v1/asset/transfer",
    market: "SPOT",
    security: "SIGNED",
    kind: "ACCOUNT",
    weight: weight(1),
    handle: history,
  },
];
