// Futures symbol setup before an entry (DESIGN §5): margin type and leverage, once per symbol per
// process. "Already set" is success (the gateway maps Binance -4046); a failure is not cached, so
// the next entry tries again, and never blocks the entry itself.

import type { ExchangeGateway } from "../../ports/exchange-gateway.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Metrics } from "../../ports/metrics.ts";

/** Symbols remembered at most (the venue lists a few hundred). */
export const configuredSymbolsMax = 10_000;

export interface SymbolSetupSettings {
  readonly leverage: number;
  readonly marginType: "ISOLATED" | "CROSSED";
}

export class SymbolSetup {
  private readonly done = new Set<string>();
  private readonly running = new Map<string, Promise<boolean>>();

  constructor(
    private readonly exchange: ExchangeGateway,
    private readonly settings: SymbolSetupSettings,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  isConfigured(symbol: string): boolean {
    return this.done.has(symbol);
  }

  /** True once the symbol is set up; concurrent callers share one venue call. */
  ensure(symbol: string): Promise<boolean> {
    if (this.done.has(symbol)) return Promise.resolve(true);
    const running = this.running.get(symbol);
    if (running !== undefined) return running;
    const work = this.configure(symbol).finally(() => this.running.delete(symbol));
    this.running.set(symbol, work);
    return work;
  }

  private async configure(symbol: string): Promise<boolean> {
    const { leverage, marginType } = this.settings;
    const answer = await this.exchange.configureSymbol(symbol, { leverage, marginType });
    if (answer.ok) {
      if (this.done.size < configuredSymbolsMax) this.done.add(symbol);
      this.metrics.increment("futures_symbol_setup_total", { outcome: "ok" });
      return true;
    }
    this.metrics.increment("futures_symbol_setup_total", { outcome: "failed" });
    this.logger.warn("futures symbol setup failed; the entry goes ahead", {
      symbol,
      leverage: String(this.settings.leverage),
      marginType: this.settings.marginType,
      error: `${answer.error.kind}: ${answer.error.message}`,
    });
    return false;
  }
}
