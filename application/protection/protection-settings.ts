// Protection's knobs (DESIGN §5, §10): how futures legs trigger, when the guardian replaces the
// venue's own OCO, symbol setup, and the bounds on placement retries.

import { type Decimal, dec } from "../../domain/decimal/index.ts";
import type { WorkingType } from "../../ports/exchange-gateway.ts";

export interface ProtectionSettings {
  /** S4_WORKING_TYPE: what futures algo legs trigger on. */
  readonly workingType: WorkingType;
  /** S4_OCO_GUARDIAN: spot protection is a take-profit limit plus a guardian, never a venue OCO. */
  readonly spotGuardian: boolean;
  /** Futures stop (and take-profit) emulated by the guardian instead of algo orders. */
  readonly futuresGuardian: boolean;
  /** Set once per futures symbol before an entry (DESIGN §5). */
  readonly leverage: number;
  readonly marginType: "ISOLATED" | "CROSSED";
  /** Attempts at placing one protective order (or order list) before the guardian takes over. */
  readonly placementAttemptsMax: number;
  readonly retryBackoffMs: number;
  /** A Retry-After longer than this is not waited out during placement. */
  readonly retryWaitMaxMs: number;
  /** The spot STOP_LOSS_LIMIT limit sits this many ticks beyond its stop. */
  readonly stopLimitTicks: number;
  /** The exit fee rate assumed for take-profit targets when the venue's is unknown. */
  readonly defaultTakerFeeRate: Decimal;
}

export const defaultProtectionSettings: ProtectionSettings = {
  workingType: "MARK_PRICE",
  spotGuardian: false,
  futuresGuardian: false,
  leverage: 20,
  marginType: "ISOLATED",
  placementAttemptsMax: 3,
  retryBackoffMs: 200,
  retryWaitMaxMs: 2_000,
  stopLimitTicks: 1_000,
  defaultTakerFeeRate: dec("0.0005"),
};
