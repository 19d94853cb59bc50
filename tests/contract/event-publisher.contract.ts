// The EventPublisher contract: each event lands on its own stream with its event id and its
// payload as JSON, in publication order; the publisher appends, it never dedupes.

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { EventPublisher, PublishedEvent } from "../../ports/event-publisher.ts";

export interface ReadBackEntry {
  readonly eventId: string;
  readonly payload: Record<string, unknown>;
}

export interface EventPublisherUnderTest {
  readonly publisher: EventPublisher;
  /** Every entry of a stream, oldest first, as a consumer would read it. */
  read(stream: string): Promise<readonly ReadBackEntry[]>;
  dispose(): Promise<void>;
}

const streams = [
  "ord:{results}",
  "orders:executed",
  "router:events",
  "alerts",
  "metrics:events:s4.router_p95",
] as const;

function event(
  stream: string,
  eventId: string,
  payload: Record<string, unknown> = {},
): PublishedEvent {
  return { stream, eventId, payload: { id: eventId, ...payload } };
}

export function runEventPublisherContract(
  name: string,
  make: () => Promise<EventPublisherUnderTest>,
): void {
  describe(`EventPublisher contract: ${name}`, () => {
    let subject: EventPublisherUnderTest;

    beforeEach(async () => {
      subject = await make();
    });
    afterEach(async () => {
      await subject.dispose();
    });

    test("events land on their own streams, in order, with their ids", async () => {
      const events = [
        event("ord:{results}", "r1"),
        event("orders:executed", "x1"),
        event("ord:{results}", "r2"),
        event("alerts", "a1"),
        event("orders:executed", "x2"),
        event("ord:{results}", "r3"),
      ];
      await subject.publisher.publish(events);
      const ids = async (stream: string) =>
        (await subject.read(stream)).map((entry) => entry.eventId);
      expect(await ids("ord:{results}")).toEqual(["r1", "r2", "r3"]);
      expect(await ids("orders:executed")).toEqual(["x1", "x2"]);
      expect(await ids("alerts")).toEqual(["a1"]);
      expect(await ids("router:events")).toEqual([]);
    });

    test("the payload arrives as the same JSON", async () => {
      const payload = {
        intent_id: "intent-1",
        status: "FILLED",
        avg_price: "97000.123456789",
        filled_qty: "0.010",
        slippage_bps: -1.25,
        fills: [{ fill_id: "f1", qty: "0.004", liquidity: "TAKER" }],
        legs: [],
        exec: { policy: "MAKER_THEN_TAKER", fell_back_to_taker: true },
        uuid: null,
        note: 'ünïcødé ✓ "quoted" \n newline',
      };
      await subject.publisher.publish([{ stream: "ord:{results}", eventId: "e1", payload }]);
      expect(await subject.read("ord:{results}")).toEqual([{ eventId: "e1", payload }]);
    });

    test("calls append in order; the same event twice is appended twice", async () => {
      await subject.publisher.publish([event("router:events", "d1")]);
      await subject.publisher.publish([]);
      await subject.publisher.publish([event("router:events", "d2"), event("router:events", "d1")]);
      const entries = await subject.read("router:events");
      expect(entries.map((entry) => entry.eventId)).toEqual(["d1", "d2", "d1"]);
    });

    test("a large batch over every stream keeps each stream's order", async () => {
      const events = Array.from({ length: 500 }, (_, index) =>
        event(streams[index % streams.length]!, `e${index}`, { index }),
      );
      await subject.publisher.publish(events);
      for (const [position, stream] of streams.entries()) {
        const expected = events.filter((_, index) => index % streams.length === position);
        const entries = await subject.read(stream);
        expect(entries.map((entry) => entry.eventId)).toEqual(expected.map((e) => e.eventId));
        expect(entries.map((entry) => entry.payload["index"])).toEqual(
          expected.map((e) => e.payload["index"]),
        );
      }
    });

    test("ping answers true", async () => {
      expect(await subject.publisher.ping()).toBe(true);
    });
  });
}
