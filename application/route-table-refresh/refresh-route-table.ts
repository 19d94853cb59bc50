// Applies the route-table override (Redis `router:{param}:curves`, DESIGN §4) when it changes:
// a valid override replaces the table in force from the next decision on; an invalid one is
// ignored with a WARN alert (once per distinct text) and the previous table stays; a removed one
// brings the file's table back. Each change is a router:events entry.

import type { Clock } from "../../ports/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Alert, OrderStore, OutboxEvent } from "../../ports/order-store.ts";
import type { RouteTableOverrideSource } from "../../ports/route-table.ts";
import type { RouteTableHolder } from "../shared/route-table-holder.ts";
import { alertsStream, routeDecision } from "../shared/router-events.ts";
import { parseRouteTableText } from "./parse-route-table.ts";

export type RefreshOutcome =
  | "absent"
  | "unchanged"
  | "applied"
  | "reverted"
  | "invalid"
  | "unavailable";

export interface RefreshRouteTableDeps {
  readonly source: RouteTableOverrideSource;
  readonly holder: RouteTableHolder;
  readonly store: OrderStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class RefreshRouteTable {
  private appliedText: string | null = null;
  private rejectedText: string | null = null;
  private unavailable = false;

  constructor(private readonly deps: RefreshRouteTableDeps) {}

  async runOnce(): Promise<RefreshOutcome> {
    const { deps } = this;
    let text: string | null;
    try {
      text = await deps.source.read();
    } catch (error) {
      if (!this.unavailable) {
        deps.logger.warn("route table override unreadable; keeping the table in force", {
          source: deps.source.location,
          error: String(error),
        });
      }
      this.unavailable = true;
      return "unavailable";
    }
    this.unavailable = false;
    if (text === null) return this.revert();
    if (text === this.appliedText) return "unchanged";
    if (text === this.rejectedText) return "invalid";
    const parsed = parseRouteTableText(text, deps.source.location);
    if (!parsed.ok) {
      this.rejectedText = text;
      await this.alertInvalid(parsed.message);
      return "invalid";
    }
    const previousRev = deps.holder.current().rev;
    deps.holder.setOverride(parsed.table);
    this.appliedText = text;
    this.rejectedText = null;
    deps.logger.info("route table override applied", {
      rev: parsed.table.rev,
      previousRev,
      source: deps.source.location,
    });
    await this.record("override_applied", { rev: parsed.table.rev, previous_rev: previousRev });
    return "applied";
  }

  private async revert(): Promise<RefreshOutcome> {
    this.rejectedText = null;
    if (this.deps.holder.origin() === "file") return "absent";
    const previousRev = this.deps.holder.current().rev;
    this.deps.holder.setOverride(null);
    this.appliedText = null;
    const rev = this.deps.holder.current().rev;
    this.deps.logger.info("route table override removed; the file's table is back", { rev });
    await this.record("override_removed", { rev, previous_rev: previousRev });
    return "reverted";
  }

  private async alertInvalid(problem: string): Promise<void> {
    const { deps } = this;
    const nowMs = deps.clock.nowMs();
    const message = `${problem}; keeping route table rev ${deps.holder.current().rev}`;
    const alert: Alert = {
      alertId: `ROUTE_TABLE_OVERRIDE_INVALID:${nowMs}`,
      level: "WARN",
      code: "ROUTE_TABLE_OVERRIDE_INVALID",
      message,
      refs: { source: deps.source.location, rev: deps.holder.current().rev },
      tsMs: nowMs,
    };
    const event: OutboxEvent = {
      eventId: `alert:${alert.alertId}`,
      stream: alertsStream,
      createdAtMs: nowMs,
      payload: {
        event_id: `alert:${alert.alertId}`,
        level: alert.level,
        code: alert.code,
        message,
        ts: nowMs,
      },
    };
    deps.logger.warn("route table override ignored", { message });
    await deps.store
      .commit({ alerts: [alert], outbox: [event] })
      .catch((error: unknown) =>
        deps.logger.error("alert not stored", { code: alert.code, error: String(error) }),
      );
  }

  private async record(reason: string, inputs: Record<string, unknown>): Promise<void> {
    const nowMs = this.deps.clock.nowMs();
    const recorded = routeDecision({
      intentId: null,
      orderId: null,
      decision: "route_table",
      reason,
      inputs: { ...inputs, source: this.deps.source.location },
      tag: `route-table-${reason}-${nowMs}`,
      nowMs,
    });
    await this.deps.store
      .commit({ strategyEvents: [recorded.strategyEvent], outbox: [recorded.outbox] })
      .catch((error: unknown) =>
        this.deps.logger.error("route table event not stored", { error: String(error) }),
      );
  }
}
