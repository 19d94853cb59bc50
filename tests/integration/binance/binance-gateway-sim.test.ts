// The end-to-end suite against the Binance-protocol simulator server (`bun run sim:binance`).
// Skipped, naming its reason, until adapters/sim/binance-server/cli.ts exists.

import { runGatewayIntegration } from "./gateway-integration.suite.ts";
import { simulatorAvailable, startSimulator } from "./sim-server.ts";

runGatewayIntegration(
  "BinanceExchangeGateway against the simulator server",
  () => startSimulator(7, "calm"),
  simulatorAvailable() ? undefined : "adapters/sim/binance-server/cli.ts is not built yet",
);
