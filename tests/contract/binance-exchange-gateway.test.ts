// Runs the ExchangeGateway contract against BinanceExchangeGateway talking over real HTTP and
// WebSocket to the Binance-protocol simulator. One server per file, reset for every subject;
// the gateway and the server share a manual clock, moved (with prices) through the admin path.

import { afterAll } from "bun:test";
import { BinanceExchangeGateway } from "../../adapters/binance/index.ts";
import { ManualClock } from "../../adapters/clock/manual-clock.ts";
import { SeededRng } from "../../adapters/clock/seeded-rng.ts";
import { startBinanceSimServer } from "../../adapters/sim/binance-server/server.ts";
import { formatDecimal } from "../../domain/decimal/index.ts";
import type { Logger } from "../../ports/logger.ts";
import { admin, eventually } from "../integration/sim-server/sim-server-kit.ts";
import { runExchangeGatewayContract } from "./exchange-gateway.contract.ts";

const clock = new ManualClock(1_700_000_000_000);
const server = startBinanceSimServer({ clock, seed: 42, scenario: "calm" });
afterAll(() => server.stop());

const quiet: Logger = { info() {}, warn() {}, error() {} };

runExchangeGatewayContract(
  "BinanceExchangeGateway over the Binance-protocol simulator",
  async () => {
    await admin(server, "/reset", { seed: 42, scenario: "calm" });
    const gateway = new BinanceExchangeGateway({
      apiKey: server.apiKey,
      apiSecret: server.apiSecret,
      baseUrl: server.baseUrl,
      recvWindowMs: 5_000,
      clock,
      rng: new SeededRng(7),
      logger: quiet,
      marketStreams: { spot: ["BTCUSDT"], futures: ["BTCUSDT"] },
    });
    // Streams connect over real sockets: start here and wait until both user streams are up, so
    // the suite's own start() finds the gateway ready.
    const started = await gateway.start();
    if (!started.ok) throw new Error(started.error.message);
    if (!(await eventually(() => gateway.connectivity().userStreamConnected))) {
      throw new Error("user streams did not connect");
    }
    return {
      gateway,
      driver: {
        async advanceMs(ms) {
          await admin(server, "/advance", { ms });
        },
        async setMid(symbol, price) {
          const moved = await admin(server, "/mid", { symbol, price: formatDecimal(price) });
          if (moved.status !== 200) throw new Error(JSON.stringify(moved.body));
        },
      },
      async close() {},
    };
  },
);
