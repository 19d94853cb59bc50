// The symbol rules the router validates against, loaded from the venue once at start-up.

import { type Market, type SymbolRules, symbolKey } from "../../domain/instrument/index.ts";
import type { ExchangeGateway } from "../../ports/exchange-gateway.ts";

export class RuleBook {
  private readonly rules = new Map<string, SymbolRules>();

  get(market: Market, symbol: string): SymbolRules | null {
    return this.rules.get(symbolKey(market, symbol)) ?? null;
  }

  size(): number {
    return this.rules.size;
  }

  replace(all: readonly SymbolRules[]): void {
    this.rules.clear();
    for (const rules of all) this.rules.set(symbolKey(rules.market, rules.symbol), rules);
  }

  /** Loads (or reloads) every symbol's rules; answers an error message on failure. */
  async load(exchange: ExchangeGateway): Promise<string | null> {
    const answer = await exchange.symbolRules();
    if (!answer.ok) return `${answer.error.kind}: ${answer.error.message}`;
    this.replace(answer.value);
    return null;
  }
}
