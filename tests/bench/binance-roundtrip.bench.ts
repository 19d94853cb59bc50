// Round trip of the Binance adapter against the Binance-protocol simulator running as its own
// process: spot and futures MARKET orders through BinanceExchangeGateway.placeOrder (sign, send
// over keep-alive HTTP, venue matching, parse; futures fills fetched from userTrades), sequential
// and with 16 in flight. Run: bun run tests/bench/binance-roundtrip.bench.ts

import { BinanceExchangeGateway } from "../../adapters/binance/index.ts";
import { SeededRng } from "../../adapters/clock/seeded-rng.ts";
import { SystemClock } from "../../adapters/clock/system-clock.ts";
import { MemoryLogger } from "../../adapters/observability/console-logger.ts";
import { dec } from "../../domain/decimal/index.ts";
import type { Market } from "../../domain/instrument/index.ts";
import type { PlaceOrderRequest } from "../../ports/exchange-gateway.ts";
import { startSimServerProcess } from "../support/sim-server-process.ts";
import { percentile, printTable } from "./stats.ts";

const count = Number(process.env["BENCH_ORDERS"] ?? 1_000);
let sequence = 0;

function request(market: Market): PlaceOrderRequest {
  sequence += 1;
  return {
    market,
    symbol: "BTCUSDT",
    side: sequence % 2 === 0 ? "SELL" : "BUY",
    type: "MARKET",
    timeInForce: null,
    qty: dec(market === "FUT" ? "0.002" : "0.001"),
    price: null,
    stopPrice: null,
    clientOrderId: `bench-${market}-${sequence}`,
    reduceOnly: false,
  };
}

async function phase(gateway: BinanceExchangeGateway, market: Market, inFlight: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next += 1;
      const begun = performance.now();
      const answer = await gateway.placeOrder(request(market));
      latencies.push(performance.now() - begun);
      if (!answer.ok) throw new Error(`${answer.error.kind}: ${answer.error.message}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1_000;
  return {
    market,
    orders: latencies.length,
    in_flight: inFlight,
    p50_ms: percentile(latencies, 0.5),
    p99_ms: percentile(latencies, 0.99),
    orders_per_s: latencies.length / seconds,
  };
}

// Binance's order limits (100 per 10 s on spot) would measure the limiter, not the path.
const server = await startSimServerProcess([
  "--seed",
  "3",
  "--scenario",
  "calm",
  "--rate-limit-scale",
  "1000",
]);
const gateway = new BinanceExchangeGateway({
  apiKey: server.apiKey,
  apiSecret: server.apiSecret,
  baseUrl: server.baseUrl,
  recvWindowMs: 5_000,
  clock: new SystemClock(),
  rng: new SeededRng(1),
  logger: new MemoryLogger(),
  userStreams: false,
  marketStreams: { spot: [], futures: [] },
});
try {
  await gateway.start();
  for (let warm = 0; warm < 50; warm += 1) await gateway.placeOrder(request("FUT"));
  const rows = [];
  for (const market of ["SPOT", "FUT"] as const) {
    rows.push(await phase(gateway, market, 1));
    rows.push(await phase(gateway, market, 16));
  }
  printTable("BinanceExchangeGateway.placeOrder (MARKET) against sim:binance over HTTP", rows);
} finally {
  await gateway.stop();
  await server.stop();
}
