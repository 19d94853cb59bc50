// The kill switch rule (DESIGN §6): a global flag or a per-symbol flag refuses new positions;
// reduce-only orders, exits and cancels always pass, so risk can be taken off while it is on.

import { type OrderIntent, opensPosition } from "../order/index.ts";
import type { RiskIntentKind } from "./circuit-breaker.ts";

export interface KillSwitchFlags {
  /** Redis `risk:killswitch`. */
  readonly global: boolean;
  /** Symbols flagged by `risk:killswitch:<SYMBOL>` (upper case, as Binance spells them). */
  readonly symbols: ReadonlySet<string>;
}

export const killSwitchOff: KillSwitchFlags = { global: false, symbols: new Set() };

export type KillSwitchDecision =
  | { readonly refused: false }
  | {
      readonly refused: true;
      readonly code: "KILL_SWITCH";
      readonly scope: "GLOBAL" | "SYMBOL";
      readonly message: string;
    };

export function killSwitchDecision(
  flags: KillSwitchFlags,
  symbol: string,
  kind: RiskIntentKind,
): KillSwitchDecision {
  if (kind !== "new_position") return { refused: false };
  if (flags.global) {
    return {
      refused: true,
      code: "KILL_SWITCH",
      scope: "GLOBAL",
      message: "the global kill switch is on: new positions are refused",
    };
  }
  if (flags.symbols.has(symbol.toUpperCase())) {
    return {
      refused: true,
      code: "KILL_SWITCH",
      scope: "SYMBOL",
      message: `the kill switch for ${symbol} is on: new positions are refused`,
    };
  }
  return { refused: false };
}

/** What an intent does to exposure: only an entry that is not reduce-only opens a position. */
export function riskKindOfIntent(intent: OrderIntent): RiskIntentKind {
  if (opensPosition(intent)) return "new_position";
  if (intent.kind === "EXIT") return "exit";
  return "reduce_only";
}
