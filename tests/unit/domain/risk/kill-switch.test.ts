// The kill switch: global or per-symbol flags refuse new positions only; reduce-only, exits and
// cancels pass; an intent's risk kind follows its kind and reduce-only flag.

import { describe, expect, test } from "bun:test";
import { dec } from "../../../../domain/decimal/index.ts";
import type { OrderIntent } from "../../../../domain/order/index.ts";
import {
  type KillSwitchFlags,
  killSwitchDecision,
  killSwitchOff,
  type RiskIntentKind,
  riskKindOfIntent,
} from "../../../../domain/risk/index.ts";

const globalOn: KillSwitchFlags = { global: true, symbols: new Set() };
const btcOn: KillSwitchFlags = { global: false, symbols: new Set(["BTCUSDT"]) };

describe("killSwitchDecision", () => {
  const kinds: RiskIntentKind[] = ["new_position", "exit", "reduce_only", "cancel"];
  const cases: [string, KillSwitchFlags, string, RiskIntentKind, string | null][] = [
    ["off", killSwitchOff, "BTCUSDT", "new_position", null],
    ["global refuses a new position", globalOn, "ETHUSDT", "new_position", "GLOBAL"],
    ["symbol flag refuses that symbol", btcOn, "BTCUSDT", "new_position", "SYMBOL"],
    ["symbol flag matches whatever the case", btcOn, "btcusdt", "new_position", "SYMBOL"],
    ["symbol flag leaves other symbols alone", btcOn, "ETHUSDT", "new_position", null],
    ...kinds
      .filter((kind) => kind !== "new_position")
      .flatMap((kind): [string, KillSwitchFlags, string, RiskIntentKind, null][] => [
        [`global passes ${kind}`, globalOn, "BTCUSDT", kind, null],
        [`symbol passes ${kind}`, btcOn, "BTCUSDT", kind, null],
      ]),
  ];
  for (const [name, flags, symbol, kind, scope] of cases) {
    test(name, () => {
      const decision = killSwitchDecision(flags, symbol, kind);
      if (scope === null) expect(decision).toEqual({ refused: false });
      else expect(decision).toMatchObject({ refused: true, code: "KILL_SWITCH", scope });
    });
  }
});

describe("riskKindOfIntent", () => {
  const intent = (overrides: Partial<OrderIntent>): OrderIntent => ({
    intentId: "i-1",
    uuid: null,
    kind: "ENTRY",
    market: "FUT",
    symbol: "BTCUSDT",
    side: "BUY",
    qty: dec("0.002"),
    clientOrderId: null,
    reduceOnly: false,
    execPolicy: null,
    sl: null,
    tp: null,
    ...overrides,
  });
  const cases: [string, Partial<OrderIntent>, RiskIntentKind][] = [
    ["an entry opens a position", {}, "new_position"],
    ["a reduce-only futures entry reduces", { reduceOnly: true }, "reduce_only"],
    ["an exit", { kind: "EXIT" }, "exit"],
    ["a reduce", { kind: "REDUCE" }, "reduce_only"],
    ["a protective order", { kind: "PROTECT" }, "reduce_only"],
    ["a spot entry opens a position", { market: "SPOT" }, "new_position"],
    ["a spot exit", { market: "SPOT", kind: "EXIT" }, "exit"],
  ];
  for (const [name, overrides, expected] of cases) {
    test(name, () => expect(riskKindOfIntent(intent(overrides))).toBe(expected));
  }
});
