// Which history rows allOrders, myTrades, userTrades and allAlgoOrders answer, by Binance's rules:
// from an id (orderId / fromId / algoId) the first `limit` rows at or after it; from startTime the
// first rows in the window; otherwise the most recent `limit` rows up to endTime (or now). Rows
// are oldest first.

import { errors } from "./api-errors.ts";
import type { ParamReader } from "./request-params.ts";

/** Binance: limit ≤ 1000, default 500. */
export const historyRowsMax = 1000;
export const historyRowsDefault = 500;

export interface HistoryQuery {
  readonly fromId: number | null;
  readonly startMs: number | null;
  readonly endMs: number | null;
  readonly limit: number;
}

/**
 * Reads the id to start from (`idParam`), startTime, endTime and limit. The id does not combine
 * with a time window (-1128); a window longer than `windowMsMax` is -1127.
 */
export function readHistoryQuery(
  read: ParamReader,
  idParam: "orderId" | "fromId" | "algoId",
  windowMsMax: number | null,
): HistoryQuery | null {
  const fromId = read.integer(idParam);
  const startMs = read.integer("startTime");
  const endMs = read.integer("endTime");
  const limit = read.integer("limit") ?? historyRowsDefault;
  if (read.failure !== null) return null;
  if (fromId !== null && (startMs !== null || endMs !== null)) {
    return read.fail(errors.badCombination());
  }
  if (startMs !== null && endMs !== null && windowMsMax !== null) {
    if (endMs - startMs > windowMsMax) {
      const hours = windowMsMax / 3_600_000;
      return read.fail(errors.windowTooLong(hours));
    }
  }
  return { fromId, startMs, endMs, limit: Math.min(Math.max(limit, 1), historyRowsMax) };
}

/** The rows the query selects from `rows` (oldest first, ids increasing). */
export function selectHistory<T>(
  rows: readonly T[],
  idOf: (row: T) => number,
  timeOf: (row: T) => number,
  query: HistoryQuery,
): T[] {
  const { fromId, startMs, endMs, limit } = query;
  if (fromId !== null) return rows.filter((row) => idOf(row) >= fromId).slice(0, limit);
  const inWindow = rows.filter((row) => {
    const tsMs = timeOf(row);
    return (startMs === null || tsMs >= startMs) && (endMs === null || tsMs <= endMs);
  });
  return startMs !== null ? inWindow.slice(0, limit) : inWindow.slice(-limit);
}
