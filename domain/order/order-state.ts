// The order state machine as one table of legal (status, event) pairs. Anything not listed is
// illegal and reported as such; fill events are split into partial/full by the mutator.

import type { OrderStatus } from "./types.ts";

export type OrderEventKind =
  | "ACCEPTED" // the venue acknowledged the order
  | "OUTCOME_UNKNOWN" // the send may or may not have reached the venue
  | "PARTIAL_FILL"
  | "FULL_FILL"
  | "CANCEL_REQUESTED"
  | "CANCEL_REJECTED" // the cancel failed but the order still works
  | "CANCELED"
  | "REJECTED"
  | "EXPIRED"
  | "TRIGGERED";

type Table = Readonly<Record<OrderStatus, Readonly<Partial<Record<OrderEventKind, OrderStatus>>>>>;

const table: Table = {
  PENDING_NEW: {
    ACCEPTED: "NEW",
    OUTCOME_UNKNOWN: "UNKNOWN",
    // A fill can overtake the acknowledgement on the user-data stream.
    PARTIAL_FILL: "PARTIALLY_FILLED",
    FULL_FILL: "FILLED",
    REJECTED: "REJECTED",
    CANCELED: "CANCELED",
    // IOC/FOK with nothing matched come back EXPIRED without ever resting.
    EXPIRED: "EXPIRED",
  },
  UNKNOWN: {
    // Resolving an unknown outcome by query can land on any venue state.
    ACCEPTED: "NEW",
    PARTIAL_FILL: "PARTIALLY_FILLED",
    FULL_FILL: "FILLED",
    // Not found after the receive window: it can no longer execute.
    REJECTED: "REJECTED",
    CANCELED: "CANCELED",
    EXPIRED: "EXPIRED",
    OUTCOME_UNKNOWN: "UNKNOWN",
  },
  NEW: {
    ACCEPTED: "NEW",
    PARTIAL_FILL: "PARTIALLY_FILLED",
    FULL_FILL: "FILLED",
    CANCEL_REQUESTED: "PENDING_CANCEL",
    CANCELED: "CANCELED",
    EXPIRED: "EXPIRED",
    TRIGGERED: "TRIGGERED",
    // A conditional order can be rejected at trigger time (margin check).
    REJECTED: "REJECTED",
  },
  TRIGGERED: {
    PARTIAL_FILL: "PARTIALLY_FILLED",
    FULL_FILL: "FILLED",
    CANCELED: "CANCELED",
    EXPIRED: "EXPIRED",
    REJECTED: "REJECTED",
    TRIGGERED: "TRIGGERED",
  },
  PARTIALLY_FILLED: {
    ACCEPTED: "PARTIALLY_FILLED",
    PARTIAL_FILL: "PARTIALLY_FILLED",
    FULL_FILL: "FILLED",
    CANCEL_REQUESTED: "PENDING_CANCEL",
    CANCELED: "CANCELED",
    EXPIRED: "EXPIRED",
  },
  PENDING_CANCEL: {
    // The venue can fill while our cancel is in flight.
    PARTIAL_FILL: "PENDING_CANCEL",
    FULL_FILL: "FILLED",
    CANCELED: "CANCELED",
    EXPIRED: "EXPIRED",
    CANCEL_REJECTED: "NEW", // the mutator restores PARTIALLY_FILLED when something filled
    CANCEL_REQUESTED: "PENDING_CANCEL",
    ACCEPTED: "PENDING_CANCEL",
  },
  // canceled/expired → fill: a trade that happened before the cancel can arrive after it.
  CANCELED: { PARTIAL_FILL: "CANCELED", FULL_FILL: "FILLED", CANCELED: "CANCELED" },
  EXPIRED: { PARTIAL_FILL: "EXPIRED", FULL_FILL: "FILLED", EXPIRED: "EXPIRED" },
  FILLED: {},
  REJECTED: { REJECTED: "REJECTED" },
};

/** The next status, or null when the pair is not a legal transition. */
export function transition(status: OrderStatus, event: OrderEventKind): OrderStatus | null {
  return table[status][event] ?? null;
}
