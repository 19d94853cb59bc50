// Client-side cost of one Binance order: build the request, sign it, parse the answer. Prints a
// table of µs per order (target ≤ 30 µs for build + sign + parse). Run:
//   bun run tests/bench/binance-client.bench.ts
// Timing is reported, never asserted: a benchmark is not a test.

import { readFileSync } from "node:fs";
import { dec } from "../../domain/decimal/index.ts";
import type { PlaceOrderRequest } from "../../ports/exchange-gateway.ts";
import { BinanceCredentials } from "../../adapters/binance/credentials.ts";
import { futuresPlaceOrder } from "../../adapters/binance/futures-requests.ts";
import { parseFuturesOrder, parseSpotOrder } from "../../adapters/binance/parse-orders.ts";
import { RateLimitTracker } from "../../adapters/binance/rate-limits.ts";
import { callParsed } from "../../adapters/binance/rest-call.ts";
import { BinanceRestClient } from "../../adapters/binance/rest-client.ts";
import { encodeParams, HmacSigner } from "../../adapters/binance/signer.ts";
import { spotPlaceOrder } from "../../adapters/binance/spot-requests.ts";
import { resolveUrls } from "../../adapters/binance/urls.ts";
import { SystemClock } from "../../adapters/clock/system-clock.ts";

const iterations = Number(process.env["BENCH_ITERATIONS"] ?? 20_000);
const warmup = 2_000;
const credentials = new BinanceCredentials(
  "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
  "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
);
const signer = new HmacSigner(credentials);
const spotAnswer = readFileSync("tests/fixtures/binance/spot-new_order_full_response.json", "utf8");
const futuresAnswer = readFileSync("tests/fixtures/binance/futures-order_response.json", "utf8");

const request: PlaceOrderRequest = {
  market: "SPOT",
  symbol: "BTCUSDT",
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  qty: dec("0.01234"),
  price: dec("97012.34"),
  stopPrice: null,
  clientOrderId: "intent-0123456789/s12",
  reduceOnly: false,
};

let sink = 0;

function signedUrl(params: readonly (readonly [string, string])[], timestampMs: number): string {
  let query = encodeParams(params);
  query += `&recvWindow=5000&timestamp=${timestampMs}`;
  query += `&signature=${signer.signRest(query)}`;
  return `https://api.binance.com/api/v3/order?${query}`;
}

/** Shared machines are noisy: each figure is measured in rounds; min and median are shown. */
const rounds = 7;

interface Row {
  readonly name: string;
  readonly minUs: number;
  readonly medianUs: number;
}

function summarize(name: string, perRound: number[]): Row {
  const sorted = [...perRound].sort((a, b) => a - b);
  return { name, minUs: sorted[0] ?? 0, medianUs: sorted[Math.floor(sorted.length / 2)] ?? 0 };
}

function measure(name: string, body: (index: number) => void): Row {
  for (let index = 0; index < warmup; index += 1) body(index);
  const perRound: number[] = [];
  const count = Math.ceil(iterations / rounds);
  for (let round = 0; round < rounds; round += 1) {
    const started = Bun.nanoseconds();
    for (let index = 0; index < count; index += 1) body(index);
    perRound.push((Bun.nanoseconds() - started) / 1_000 / count);
  }
  return summarize(name, perRound);
}

async function measureAsync(name: string, body: (index: number) => Promise<void>): Promise<Row> {
  for (let index = 0; index < warmup; index += 1) await body(index);
  const perRound: number[] = [];
  const count = Math.ceil(iterations / rounds);
  for (let round = 0; round < rounds; round += 1) {
    const started = Bun.nanoseconds();
    for (let index = 0; index < count; index += 1) await body(index);
    perRound.push((Bun.nanoseconds() - started) / 1_000 / count);
  }
  return summarize(name, perRound);
}

const rows = [
  measure("build spot LIMIT params", () => {
    sink += spotPlaceOrder(request).params.length;
  }),
  measure("encode + sign (HMAC-SHA256)", (index) => {
    sink += signedUrl(spotPlaceOrder(request).params, 1_700_000_000_000 + index).length;
  }),
  measure("parse spot FULL answer (5 fills)", () => {
    sink += parseSpotOrder(JSON.parse(spotAnswer)).fills.length;
  }),
  measure("spot order: build + sign + parse", (index) => {
    sink += signedUrl(spotPlaceOrder(request).params, 1_700_000_000_000 + index).length;
    sink += parseSpotOrder(JSON.parse(spotAnswer)).fills.length;
  }),
  measure("futures order: build + sign + parse", (index) => {
    const call = futuresPlaceOrder({ ...request, market: "FUT" });
    sink += signedUrl(call.params, 1_700_000_000_000 + index).length;
    sink += parseFuturesOrder(JSON.parse(futuresAnswer)).qty.scale;
  }),
];

// Through the whole REST client (gate, headers, Response objects) with an in-memory fetch.
const rest = new BinanceRestClient({
  urls: resolveUrls({}),
  credentials,
  signer,
  limits: new RateLimitTracker(),
  clock: { nowMs: () => 1_700_000_000_000, sleepMs: () => new Promise<void>(() => {}) },
  logger: { info() {}, warn() {}, error() {} },
  recvWindowMs: 5_000,
  requestTimeoutMs: 10_000,
  offsetMarginMs: 1_000,
  fetch: async () =>
    new Response(spotAnswer, {
      headers: { "x-mbx-used-weight-1m": "1", "x-mbx-order-count-10s": "1" },
    }),
});
rows.push(
  await measureAsync("spot order via REST client (in-memory fetch)", async () => {
    const result = await callParsed(rest, spotPlaceOrder(request), parseSpotOrder);
    sink += result.ok ? result.value.fills.length : 0;
  }),
);

console.log(`Binance client cost per order (${iterations} iterations, Bun ${Bun.version})`);
console.log("| step | µs per order (min) | µs per order (median) |");
console.log("| --- | ---: | ---: |");
for (const row of rows) {
  console.log(`| ${row.name} | ${row.minUs.toFixed(2)} | ${row.medianUs.toFixed(2)} |`);
}
console.log(`(checksum ${sink}; SystemClock unused: ${typeof SystemClock})`);
