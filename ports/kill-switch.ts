// Where the kill switch is read from: Redis `risk:killswitch` and `risk:killswitch:<SYMBOL>` in
// production, an in-memory twin otherwise.

import type { KillSwitchFlags } from "../domain/risk/index.ts";

export interface KillSwitchSource {
  /** The flags relevant to `symbol` (global and that symbol's). */
  flags(symbol: string): Promise<KillSwitchFlags>;
  /** Every flag that is on, for /health. */
  all(): Promise<KillSwitchFlags>;
}
