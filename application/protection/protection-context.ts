// What protection's parts share: the ports, the guardian, the settings.

import type { Clock } from "../../ports/clock.ts";
import type { ExchangeGateway } from "../../ports/exchange-gateway.ts";
import type { Logger } from "../../ports/logger.ts";
import type { MarketData } from "../../ports/market-data.ts";
import type { Metrics } from "../../ports/metrics.ts";
import type { OrderStore } from "../../ports/order-store.ts";
import type { GuardianRunner } from "../guardian/guardian-runner.ts";
import type { IntentLedger, IntentState } from "../shared/intent-ledger.ts";
import type { KeyedMutex } from "../shared/keyed-mutex.ts";
import type { RuleBook } from "../shared/rule-book.ts";
import type { ProtectionSettings } from "./protection-settings.ts";
import type { RetryPolicy } from "./venue-retry.ts";

export interface ProtectionContext {
  readonly clock: Clock;
  readonly exchange: ExchangeGateway;
  readonly store: OrderStore;
  readonly ledger: IntentLedger;
  readonly mutex: KeyedMutex;
  readonly rules: RuleBook;
  readonly marketData: MarketData;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly guardian: GuardianRunner;
  readonly settings: ProtectionSettings;
}

export function retryPolicyOf(settings: ProtectionSettings): RetryPolicy {
  return {
    attemptsMax: settings.placementAttemptsMax,
    backoffMs: settings.retryBackoffMs,
    waitMaxMs: settings.retryWaitMaxMs,
  };
}

/** The intent's parent order (its entry, or the first leg of a stand-alone protection). */
export function parentOf(state: IntentState) {
  const parent = state.orders.find((order) => order.orderId === state.record.orderId);
  if (parent === undefined) throw new Error("Condition failed: an intent without its parent");
  return parent;
}
