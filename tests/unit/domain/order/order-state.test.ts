// The order transition table, pinned row by row: every legal (status, event) pair has its
// expected next status, and every pair not listed here must be refused with null.

import { describe, expect, test } from "bun:test";
import {
  isTerminal,
  type OrderEventKind,
  type OrderStatus,
  terminalStatuses,
  transition,
} from "../../../../domain/order/index.ts";

const statuses: readonly OrderStatus[] = [
  "PENDING_NEW",
  "UNKNOWN",
  "NEW",
  "TRIGGERED",
  "PARTIALLY_FILLED",
  "PENDING_CANCEL",
  "FILLED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
];

const events: readonly OrderEventKind[] = [
  "ACCEPTED",
  "OUTCOME_UNKNOWN",
  "PARTIAL_FILL",
  "FULL_FILL",
  "CANCEL_REQUESTED",
  "CANCEL_REJECTED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
  "TRIGGERED",
];

/** The legal rows, written out independently of the implementation. */
const legal: readonly (readonly [OrderStatus, OrderEventKind, OrderStatus])[] = [
  ["PENDING_NEW", "ACCEPTED", "NEW"],
  ["PENDING_NEW", "OUTCOME_UNKNOWN", "UNKNOWN"],
  ["PENDING_NEW", "PARTIAL_FILL", "PARTIALLY_FILLED"], // a fill can overtake the ack
  ["PENDING_NEW", "FULL_FILL", "FILLED"],
  ["PENDING_NEW", "REJECTED", "REJECTED"],
  ["PENDING_NEW", "CANCELED", "CANCELED"],
  ["PENDING_NEW", "EXPIRED", "EXPIRED"], // IOC/FOK with nothing matched
  ["UNKNOWN", "ACCEPTED", "NEW"],
  ["UNKNOWN", "PARTIAL_FILL", "PARTIALLY_FILLED"],
  ["UNKNOWN", "FULL_FILL", "FILLED"],
  ["UNKNOWN", "REJECTED", "REJECTED"], // not found after the receive window
  ["UNKNOWN", "CANCELED", "CANCELED"],
  ["UNKNOWN", "EXPIRED", "EXPIRED"],
  ["UNKNOWN", "OUTCOME_UNKNOWN", "UNKNOWN"],
  ["NEW", "ACCEPTED", "NEW"],
  ["NEW", "PARTIAL_FILL", "PARTIALLY_FILLED"],
  ["NEW", "FULL_FILL", "FILLED"],
  ["NEW", "CANCEL_REQUESTED", "PENDING_CANCEL"],
  ["NEW", "CANCELED", "CANCELED"],
  ["NEW", "EXPIRED", "EXPIRED"],
  ["NEW", "TRIGGERED", "TRIGGERED"],
  ["NEW", "REJECTED", "REJECTED"], // a conditional order rejected at trigger time
  ["TRIGGERED", "PARTIAL_FILL", "PARTIALLY_FILLED"],
  ["TRIGGERED", "FULL_FILL", "FILLED"],
  ["TRIGGERED", "CANCELED", "CANCELED"],
  ["TRIGGERED", "EXPIRED", "EXPIRED"],
  ["TRIGGERED", "REJECTED", "REJECTED"],
  ["TRIGGERED", "TRIGGERED", "TRIGGERED"],
  ["PARTIALLY_FILLED", "ACCEPTED", "PARTIALLY_FILLED"],
  ["PARTIALLY_FILLED", "PARTIAL_FILL", "PARTIALLY_FILLED"],
  ["PARTIALLY_FILLED", "FULL_FILL", "FILLED"],
  ["PARTIALLY_FILLED", "CANCEL_REQUESTED", "PENDING_CANCEL"],
  ["PARTIALLY_FILLED", "CANCELED", "CANCELED"],
  ["PARTIALLY_FILLED", "EXPIRED", "EXPIRED"],
  ["PENDING_CANCEL", "PARTIAL_FILL", "PENDING_CANCEL"], // the venue fills during a cancel
  ["PENDING_CANCEL", "FULL_FILL", "FILLED"],
  ["PENDING_CANCEL", "CANCELED", "CANCELED"],
  ["PENDING_CANCEL", "EXPIRED", "EXPIRED"],
  ["PENDING_CANCEL", "CANCEL_REJECTED", "NEW"], // the mutator restores PARTIALLY_FILLED
  ["PENDING_CANCEL", "CANCEL_REQUESTED", "PENDING_CANCEL"],
  ["PENDING_CANCEL", "ACCEPTED", "PENDING_CANCEL"],
  ["CANCELED", "PARTIAL_FILL", "CANCELED"], // a trade before the cancel, reported after it
  ["CANCELED", "FULL_FILL", "FILLED"],
  ["CANCELED", "CANCELED", "CANCELED"],
  ["EXPIRED", "PARTIAL_FILL", "EXPIRED"],
  ["EXPIRED", "FULL_FILL", "FILLED"],
  ["EXPIRED", "EXPIRED", "EXPIRED"],
  ["REJECTED", "REJECTED", "REJECTED"],
];

function expectedNext(status: OrderStatus, event: OrderEventKind): OrderStatus | null {
  const row = legal.find(([from, kind]) => from === status && kind === event);
  return row === undefined ? null : row[2];
}

describe("transition table", () => {
  test.each(legal.map((row) => [...row]))("%s + %s → %s", (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  const illegal = statuses.flatMap((status) =>
    events.filter((event) => expectedNext(status, event) === null).map((event) => [status, event]),
  );

  test.each(illegal)("%s + %s is illegal", (status, event) => {
    expect(transition(status as OrderStatus, event as OrderEventKind)).toBeNull();
  });

  test("the table covers every pair exactly once", () => {
    expect(legal.length + illegal.length).toBe(statuses.length * events.length);
    const keys = new Set(legal.map(([from, event]) => `${from}/${event}`));
    expect(keys.size).toBe(legal.length);
  });

  test("FILLED is final: no event moves it", () => {
    for (const event of events) expect(transition("FILLED", event)).toBeNull();
  });

  test("every status a fill may reach ends in FILLED on a full fill", () => {
    for (const status of statuses) {
      const next = transition(status, "FULL_FILL");
      expect(next === null || next === "FILLED").toBe(true);
    }
  });

  test("terminal statuses", () => {
    expect([...terminalStatuses].sort()).toEqual(["CANCELED", "EXPIRED", "FILLED", "REJECTED"]);
    expect(isTerminal("FILLED")).toBe(true);
    expect(isTerminal("PENDING_CANCEL")).toBe(false);
    expect(isTerminal("UNKNOWN")).toBe(false);
  });
});
