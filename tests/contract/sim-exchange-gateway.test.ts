// Runs the ExchangeGateway contract against the in-process simulator on a manual clock.

import { ManualClock } from "../../adapters/clock/manual-clock.ts";
import { SimEngine } from "../../adapters/sim/engine/index.ts";
import { SimExchangeGateway } from "../../adapters/sim/sim-exchange-gateway.ts";
import { runExchangeGatewayContract } from "./exchange-gateway.contract.ts";

runExchangeGatewayContract("SimExchangeGateway", async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const engine = new SimEngine({ seed: 42, scenario: "calm", startMs: clock.nowMs() });
  const gateway = new SimExchangeGateway({ engine, clock });
  return {
    gateway,
    driver: {
      async advanceMs(ms) {
        await clock.advanceMs(ms);
        gateway.tick();
      },
      async setMid(symbol, price) {
        const moved = engine.setMid(symbol, price, clock.nowMs());
        if (!moved.ok) throw new Error(moved.reject.message);
      },
    },
    async close() {},
  };
});
