// The market snapshot the router decides with: touch, sizes, top levels and mark price.

import type { Market } from "../domain/instrument/index.ts";
import type { BookSnapshot } from "./exchange-gateway.ts";

export interface MarketData {
  /** The freshest snapshot, or null when none is known for the symbol. */
  snapshot(market: Market, symbol: string): Promise<BookSnapshot | null>;
}
