// The in-process kill switch: flags set by code (tests, an operator hook); nothing persisted.

import type { KillSwitchFlags } from "../../domain/risk/index.ts";
import type { KillSwitchSource } from "../../ports/kill-switch.ts";

export class MemoryKillSwitch implements KillSwitchSource {
  private global = false;
  private readonly symbols = new Set<string>();

  set(on: boolean, symbol?: string): void {
    if (symbol === undefined) this.global = on;
    else if (on) this.symbols.add(symbol.toUpperCase());
    else this.symbols.delete(symbol.toUpperCase());
  }

  async flags(symbol: string): Promise<KillSwitchFlags> {
    const upper = symbol.toUpperCase();
    return { global: this.global, symbols: new Set(this.symbols.has(upper) ? [upper] : []) };
  }

  async all(): Promise<KillSwitchFlags> {
    return { global: this.global, symbols: new Set(this.symbols) };
  }
}
