// The outbox relay: bounded batches in order, nothing marked unless published, failures reported
// with a growing backoff, and at-least-once delivery whatever the failure pattern (property test).

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { MemoryEventPublisher } from "../../../adapters/memory/memory-event-publisher.ts";
import { MemoryOrderStore } from "../../../adapters/memory/memory-order-store.ts";
import { SqliteOrderStore } from "../../../adapters/sqlite/sqlite-order-store.ts";
import {
  OutboxRelay,
  relayBackoffMs,
  relayOutboxConfigDefault,
} from "../../../application/relay-outbox/relay-outbox.ts";
import type { EventOutbox, StoredOutboxEvent } from "../../../ports/event-outbox.ts";
import type { EventPublisher, PublishedEvent } from "../../../ports/event-publisher.ts";
import { makeOutboxEvent } from "../../support/order-fixtures.ts";

/** A publisher that can be told to fail or to hold its answer. */
class ControlledPublisher implements EventPublisher {
  readonly log = new MemoryEventPublisher();
  failing = false;
  calls = 0;
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.openGate = resolve;
    });
  }

  release(): void {
    this.openGate?.();
    this.gate = null;
  }

  async publish(events: readonly PublishedEvent[]): Promise<void> {
    this.calls += 1;
    if (this.gate !== null) await this.gate;
    if (this.failing) throw new Error("stream unavailable");
    await this.log.publish(events);
  }

  async ping(): Promise<boolean> {
    return !this.failing;
  }

  ids(stream = "ord:{results}"): string[] {
    return this.log.read(stream).map((entry) => entry.eventId);
  }
}

/** An outbox whose reads or marks can be made to fail. */
class FlakyOutbox implements EventOutbox {
  failReads = false;
  failMarks = false;
  constructor(private readonly inner: EventOutbox) {}
  pending(limit: number): Promise<readonly StoredOutboxEvent[]> {
    if (this.failReads) return Promise.reject(new Error("store unavailable"));
    return this.inner.pending(limit);
  }
  markPublished(sequences: readonly number[]): Promise<void> {
    if (this.failMarks) return Promise.reject(new Error("store is read-only"));
    return this.inner.markPublished(sequences);
  }
}

async function storeWith(count: number, stream = "ord:{results}"): Promise<MemoryOrderStore> {
  const store = new MemoryOrderStore();
  const outbox = Array.from({ length: count }, (_, index) =>
    makeOutboxEvent({ eventId: `e${index}`, stream, payload: { index } }),
  );
  if (outbox.length > 0) await store.commit({ outbox });
  return store;
}

describe("OutboxRelay", () => {
  test("nothing pending: IDLE, and the publisher is not called", async () => {
    const publisher = new ControlledPublisher();
    const relay = new OutboxRelay(await storeWith(0), publisher);
    expect(await relay.runOnce()).toEqual({
      code: "IDLE",
      relayedCount: 0,
      nextRunInMs: relayOutboxConfigDefault.idleWaitMs,
    });
    expect(publisher.calls).toBe(0);
  });

  test("publishes pending events in order, with ids and payloads, then marks them", async () => {
    const store = await storeWith(3);
    await store.commit({ outbox: [makeOutboxEvent({ eventId: "x1", stream: "alerts" })] });
    const publisher = new ControlledPublisher();
    const relay = new OutboxRelay(store, publisher);
    expect(await relay.runOnce()).toMatchObject({ code: "RELAYED", relayedCount: 4 });
    expect(publisher.ids()).toEqual(["e0", "e1", "e2"]);
    expect(publisher.log.read("ord:{results}")[1]?.payload).toEqual({ index: 1 });
    expect(publisher.ids("alerts")).toEqual(["x1"]);
    expect(await store.pending(10)).toEqual([]);
    expect((await relay.runOnce()).code).toBe("IDLE");
  });

  test("batches are bounded; a full batch asks to run again at once", async () => {
    const store = await storeWith(25);
    const publisher = new ControlledPublisher();
    const relay = new OutboxRelay(store, publisher, { batchSizeMax: 10 });
    const outcomes = [];
    for (let run = 0; run < 4; run += 1) outcomes.push(await relay.runOnce());
    expect(outcomes.map((outcome) => [outcome.code, outcome.relayedCount])).toEqual([
      ["RELAYED", 10],
      ["RELAYED", 10],
      ["RELAYED", 5],
      ["IDLE", 0],
    ]);
    expect(outcomes.map((outcome) => outcome.nextRunInMs)).toEqual([0, 0, 200, 200]);
    expect(publisher.ids()).toEqual(Array.from({ length: 25 }, (_, index) => `e${index}`));
  });

  test("a publisher failure keeps the batch pending and backs off until it recovers", async () => {
    const store = await storeWith(3);
    const publisher = new ControlledPublisher();
    const relay = new OutboxRelay(store, publisher, { backoffMsBase: 100, backoffMsMax: 350 });
    publisher.failing = true;
    const failures = [];
    for (let run = 0; run < 4; run += 1) failures.push(await relay.runOnce());
    expect(failures[0]).toEqual({
      code: "PUBLISH_FAILED",
      relayedCount: 0,
      pendingCount: 3,
      error: "stream unavailable",
      consecutiveFailures: 1,
      nextRunInMs: 100,
    });
    expect(failures.map((failure) => failure.nextRunInMs)).toEqual([100, 200, 350, 350]);
    expect(await store.pending(10)).toHaveLength(3);

    publisher.failing = false;
    expect(await relay.runOnce()).toMatchObject({ code: "RELAYED", relayedCount: 3 });
    expect(publisher.ids()).toEqual(["e0", "e1", "e2"]);
    publisher.failing = true;
    await store.commit({ outbox: [makeOutboxEvent({ eventId: "e3" })] });
    expect(await relay.runOnce()).toMatchObject({ consecutiveFailures: 1, nextRunInMs: 100 });
  });

  test("a failed mark republishes the batch next time: duplicates, never losses", async () => {
    const store = await storeWith(2);
    const outbox = new FlakyOutbox(store);
    const publisher = new ControlledPublisher();
    const relay = new OutboxRelay(outbox, publisher);
    outbox.failMarks = true;
    expect(await relay.runOnce()).toMatchObject({
      code: "MARK_FAILED",
      pendingCount: 2,
      error: "store is read-only",
    });
    outbox.failMarks = false;
    expect(await relay.runOnce()).toMatchObject({ code: "RELAYED", relayedCount: 2 });
    expect(publisher.ids()).toEqual(["e0", "e1", "e0", "e1"]);
    expect(await store.pending(10)).toEqual([]);
  });

  test("an unreadable outbox is reported, with backoff", async () => {
    const outbox = new FlakyOutbox(await storeWith(1));
    outbox.failReads = true;
    const relay = new OutboxRelay(outbox, new ControlledPublisher());
    expect(await relay.runOnce()).toMatchObject({
      code: "READ_FAILED",
      pendingCount: 0,
      error: "store unavailable",
      nextRunInMs: 100,
    });
  });

  test("a second runOnce while one is in flight does nothing and says BUSY", async () => {
    const store = await storeWith(2);
    const publisher = new ControlledPublisher();
    const relay = new OutboxRelay(store, publisher);
    publisher.hold();
    const first = relay.runOnce();
    await Promise.resolve();
    expect((await relay.runOnce()).code).toBe("BUSY");
    publisher.release();
    expect(await first).toMatchObject({ code: "RELAYED", relayedCount: 2 });
    expect(publisher.calls).toBe(1);
  });

  test("batch sizes outside 1..1000 are refused", () => {
    const publisher = new ControlledPublisher();
    const store = new MemoryOrderStore();
    expect(() => new OutboxRelay(store, publisher, { batchSizeMax: 0 })).toThrow();
    expect(() => new OutboxRelay(store, publisher, { batchSizeMax: 1_001 })).toThrow();
    expect(() => new OutboxRelay(store, publisher, { batchSizeMax: 2.5 })).toThrow();
  });

  test("backoff doubles from the base and stops at the cap", () => {
    const config = { ...relayOutboxConfigDefault, backoffMsBase: 50, backoffMsMax: 1_000 };
    expect([1, 2, 3, 4, 5, 6, 50].map((failures) => relayBackoffMs(failures, config))).toEqual([
      50, 100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  test("works against the SQLite store's outbox", async () => {
    const store = new SqliteOrderStore({ path: ":memory:" });
    await store.commit({
      outbox: [makeOutboxEvent({ eventId: "s1" }), makeOutboxEvent({ eventId: "s2" })],
    });
    const publisher = new ControlledPublisher();
    expect(await new OutboxRelay(store, publisher).runOnce()).toMatchObject({ relayedCount: 2 });
    expect(publisher.ids()).toEqual(["s1", "s2"]);
    expect(await store.pending(10)).toEqual([]);
    await store.close();
  });

  test("property: whatever fails when, all events arrive, first arrivals in order", async () => {
    type Step =
      | { kind: "commit"; count: number }
      | { kind: "run" }
      | { kind: "publisher"; failing: boolean }
      | { kind: "marks"; failing: boolean };
    const step = fc.oneof(
      fc.record({ kind: fc.constant("commit" as const), count: fc.integer({ min: 1, max: 7 }) }),
      fc.record({ kind: fc.constant("run" as const) }),
      fc.record({ kind: fc.constant("publisher" as const), failing: fc.boolean() }),
      fc.record({ kind: fc.constant("marks" as const), failing: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        async (steps: Step[], batchSizeMax) => {
          const store = new MemoryOrderStore();
          const outbox = new FlakyOutbox(store);
          const publisher = new ControlledPublisher();
          const relay = new OutboxRelay(outbox, publisher, { batchSizeMax });
          let committed = 0;
          for (const each of steps) {
            if (each.kind === "commit") {
              const events = Array.from({ length: each.count }, (_, offset) =>
                makeOutboxEvent({ eventId: `e${committed + offset}` }),
              );
              committed += each.count;
              await store.commit({ outbox: events });
            } else if (each.kind === "run") await relay.runOnce();
            else if (each.kind === "publisher") publisher.failing = each.failing;
            else outbox.failMarks = each.failing;
          }
          publisher.failing = false;
          outbox.failMarks = false;
          for (let run = 0; run < committed + 2; run += 1) {
            if ((await relay.runOnce()).code === "IDLE") break;
          }
          const delivered = publisher.ids();
          const firstDeliveries = delivered.filter((id, index) => delivered.indexOf(id) === index);
          expect(firstDeliveries).toEqual(Array.from({ length: committed }, (_, i) => `e${i}`));
          expect(await store.pending(10)).toEqual([]);
        },
      ),
      { numRuns: 150, seed: 20_261_126 },
    );
  });
});
