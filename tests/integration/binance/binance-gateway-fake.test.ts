// The end-to-end suite against the in-test fake Binance server, so the suite itself is proven
// before the simulator server exists.

import { FakeBinanceServer } from "./fake-binance-server.ts";
import { runGatewayIntegration } from "./gateway-integration.suite.ts";

runGatewayIntegration("BinanceExchangeGateway against the fake Binance server", async () =>
  new FakeBinanceServer().asSimulator(),
);
