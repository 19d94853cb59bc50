// TWAP (DESIGN §4): the plan in whole steps (uniform or √i, jitter, remainder on the last slice,
// sub-minimum slices merged), stored with the intent; the first slice is queued and POST /orders
// answers ACCEPTED with the virtual parent. The TWAP tick runs the slices (application/twap-tick).

import { countSteps, formatDecimal, fromSteps } from "../../domain/decimal/index.ts";
import {
  minimumTradableSteps,
  planTwap,
  type ResolvedPolicy,
  type TwapPlan,
} from "../../domain/execution/index.ts";
import { isReduceOnly, routerOrderId, type TwapCurve } from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Rng } from "../../ports/rng.ts";
import type { TwapQueue, TwapTask } from "../../ports/twap-queue.ts";
import type { IntentLedger, IntentState } from "../shared/intent-ledger.ts";
import { midPrice, takingPrice } from "../shared/market.ts";
import { refusal } from "../shared/refusal.ts";
import { routeDecision } from "../shared/router-events.ts";
import { finalizeParent, virtualParent } from "../shared/virtual-parent.ts";
import type { ExecutionContext, PlannedIntent, PolicyExecutor } from "./policy-executor.ts";

export interface TwapSettings {
  /** Gap and jitter when the route table chose TWAP (the request gave no twap object). */
  readonly defaultGapMs: number;
  readonly defaultJitterMs: number;
  readonly defaultCurve: TwapCurve;
}

export const defaultTwapSettings: TwapSettings = {
  defaultGapMs: 30_000,
  defaultJitterMs: 3_000,
  defaultCurve: "uniform",
};

/** Plans made but not yet run (a plan whose intent turned out to exist already is dropped). */
export const pendingPlansMax = 10_000;

export interface TwapExecutorDeps {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly queue: TwapQueue;
  readonly ledger: IntentLedger;
  readonly logger: Logger;
  readonly settings: TwapSettings;
  /** Tells the scheduler a task was queued (it may be due before its next wake-up). */
  readonly wake?: () => void;
}

type TwapPolicy = Extract<ResolvedPolicy, { type: "TWAP" }>;

export class TwapExecutor implements PolicyExecutor {
  private readonly plans = new Map<string, TwapPlan>();

  constructor(private readonly deps: TwapExecutorDeps) {}

  plan(context: ExecutionContext): PlannedIntent | { refusal: ReturnType<typeof refusal> } {
    const { intent } = context;
    const policy = twapPolicyOf(context);
    if (policy === null) return { refusal: refusal("NOT_SUPPORTED", "TWAP needs a route table") };
    const plan = this.makePlan(context, policy);
    this.remember(intent.intentId, plan);
    const parent = virtualParent({
      orderId: routerOrderId(intent.intentId, "entry"),
      intentId: intent.intentId,
      clientOrderId: context.clientOrderId,
      market: intent.market,
      symbol: intent.symbol,
      side: intent.side,
      type: "MARKET",
      timeInForce: null,
      qty: intent.qty,
      price: null,
      stopPrice: null,
      reduceOnly: isReduceOnly(intent),
      role: "ENTRY",
      parentId: null,
      midAtSend: midPrice(context.snapshot),
      createdAtMs: context.nowMs,
    });
    const recorded = routeDecision({
      intentId: intent.intentId,
      orderId: parent.orderId,
      decision: "twap_plan",
      reason: policy.sliceCountReason,
      inputs: {
        slices_requested: policy.sliceCount,
        slices_capped: policy.sliceCountCapped,
        slices_merged: plan.mergedCount,
        jitter_ms_applied: plan.jitterMsApplied,
        slice_policy: policy.slicePolicy,
        maker_wait_ms: policy.makerWaitMs,
        plan: plan.slices.map((slice) => ({
          slice: slice.index + 1,
          qty: formatDecimal(fromSteps(slice.qtySteps, context.rules.lot.step)),
          due_ms: slice.dueMs,
        })),
      },
      tag: "plan",
      nowMs: context.nowMs,
    });
    return {
      orders: [parent],
      strategyEvents: [recorded.strategyEvent],
      outbox: [recorded.outbox],
    };
  }

  async run(state: IntentState, context: ExecutionContext): Promise<IntentState> {
    const { intent } = context;
    const policy = twapPolicyOf(context);
    if (policy === null) throw new Error("Condition failed: a TWAP intent without its policy");
    const plan = this.plans.get(intent.intentId) ?? this.makePlan(context, policy);
    this.plans.delete(intent.intentId);
    const exec = {
      policy: "TWAP",
      reason: context.resolved?.reason ?? "requested",
      slices_total: plan.slices.length,
      slices_done: 0,
    };
    const first = plan.slices[0];
    if (first === undefined) throw new Error("Condition failed: a TWAP plan without slices");
    const task: TwapTask = {
      intentId: intent.intentId,
      dueMs: first.dueMs,
      sliceIndex: 0,
      slices: plan.slices.map((slice) => ({ qtySteps: slice.qtySteps, dueMs: slice.dueMs })),
      spreadDelays: 0,
      splits: 0,
      makerWaitMs: policy.slicePolicy === "MAKER_THEN_TAKER" ? policy.makerWaitMs : null,
    };
    try {
      await this.deps.queue.add(task);
    } catch (error) {
      return this.notQueued(state, exec, error);
    }
    const saved = await this.deps.ledger.save(state, { exec });
    this.deps.wake?.();
    return saved;
  }

  private makePlan(context: ExecutionContext, policy: TwapPolicy): TwapPlan {
    const { intent, rules, snapshot } = context;
    const request = intent.execPolicy?.twap ?? null;
    const settings = this.deps.settings;
    const reference =
      intent.execPolicy?.price ?? (snapshot === null ? null : takingPrice(snapshot, intent.side));
    const minSliceSteps =
      reference === null
        ? 1n
        : minimumTradableSteps(rules, {
            referencePrice: reference,
            isMarketOrder: policy.slicePolicy === "MARKET",
            reduceOnly: isReduceOnly(intent),
          });
    return planTwap({
      qtySteps: countSteps(intent.qty, rules.lot.step, "floor"),
      sliceCount: policy.sliceCount,
      curve: request?.curve ?? settings.defaultCurve,
      gapMs: request?.gapMs ?? settings.defaultGapMs,
      jitterMs: request === null ? settings.defaultJitterMs : request.jitterMs,
      startMs: context.nowMs,
      jitterDraws: Array.from({ length: policy.sliceCount }, () => this.deps.rng.nextFloat()),
      minSliceSteps,
    });
  }

  private remember(intentId: string, plan: TwapPlan): void {
    if (this.plans.size >= pendingPlansMax) {
      const oldest = this.plans.keys().next().value;
      if (oldest !== undefined) this.plans.delete(oldest);
    }
    this.plans.set(intentId, plan);
  }

  /** The queue refused the task: nothing was sent, so the intent ends REJECTED. */
  private async notQueued(
    state: IntentState,
    exec: { policy: string; reason: string; slices_total: number; slices_done: number },
    error: unknown,
  ): Promise<IntentState> {
    const parent = state.orders.find((order) => order.orderId === state.record.orderId);
    if (parent === undefined) throw new Error("Condition failed: a TWAP intent without its parent");
    this.deps.logger.error("TWAP task not queued", {
      intentId: state.record.intentId,
      error: String(error),
    });
    return this.deps.ledger.save(state, {
      orders: [finalizeParent(parent, [], true, this.deps.clock.nowMs())],
      exec,
      failure: {
        code: "TWAP_QUEUE_UNAVAILABLE",
        message: `the TWAP queue refused the plan: ${String(error)}`,
      },
    });
  }
}

function twapPolicyOf(context: ExecutionContext): TwapPolicy | null {
  const policy = context.resolved?.policy;
  return policy?.type === "TWAP" ? policy : null;
}

/** The slice ids of DESIGN §7 / STYLE rule 10: slice n (1-based) is "slice-n" / "<base>/sn". */
export function sliceOrderRole(index: number, part: "main" | "reprice" | "taker"): string {
  const n = index + 1;
  return part === "main" ? `slice-${n}` : part === "reprice" ? `slice-${n}-r` : `slice-${n}-t`;
}

export function sliceClientSuffix(index: number, part: "main" | "reprice" | "taker"): string {
  const n = index + 1;
  return part === "main" ? `s${n}` : part === "reprice" ? `s${n}r` : `s${n}t`;
}
