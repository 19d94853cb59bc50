// Load over real HTTP: the router runs as its own process (`bun main.ts`, as `bun start` does),
// with SQLite and a private Redis, against the in-process simulated venue. Sends N sequential and
// then N concurrent (C in flight) FUT MARKET intents, alternating BUY/SELL to stay flat, and
// reports client-observed latency percentiles and intents/s. Run: bun run tests/bench/http-load.bench.ts

import { spawn } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRedisServer } from "../support/redis-server.ts";
import { percentile, printTable } from "./stats.ts";

const count = Number(process.env["BENCH_INTENTS"] ?? 2_000);
const inFlight = Number(process.env["BENCH_IN_FLIGHT"] ?? 50);

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, fetch: () => new Response("") });
  const port = server.port ?? 0;
  await server.stop(true);
  return port;
}

async function waitReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(50);
  }
  throw new Error("router did not become ready");
}

let sequence = 0;
async function sendIntent(url: string, prefix: string): Promise<number> {
  sequence += 1;
  const body = JSON.stringify({
    intent_id: `${prefix}-${sequence}`,
    market: "FUT",
    symbol: "BTCUSDT",
    side: sequence % 2 === 0 ? "SELL" : "BUY",
    qty: "0.002",
  });
  const started = performance.now();
  const response = await fetch(`${url}/orders`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
  });
  const answer = (await response.json()) as { status?: string };
  const elapsed = performance.now() - started;
  if (response.status !== 200 || answer.status !== "FILLED")
    throw new Error(`unexpected answer ${response.status} ${JSON.stringify(answer)}`);
  return elapsed;
}

async function runPhase(
  url: string,
  label: string,
  concurrency: number,
): Promise<Record<string, string | number>> {
  const latencies: number[] = [];
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      latencies.push(await sendIntent(url, label));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1_000;
  return {
    phase: label,
    intents: latencies.length,
    in_flight: concurrency,
    p50_ms: percentile(latencies, 0.5),
    p95_ms: percentile(latencies, 0.95),
    p99_ms: percentile(latencies, 0.99),
    intents_per_s: latencies.length / seconds,
  };
}

export async function runHttpLoadBench(
  mode: "redis" | "embedded",
): Promise<Record<string, string | number>[]> {
  const dir = mkdtempSync(join(tmpdir(), "s4-bench-"));
  const redis = mode === "redis" ? await startRedisServer() : null;
  const port = await freePort();
  const router = spawn([process.execPath, "main.ts"], {
    env: {
      ...process.env,
      PORT: String(port),
      S4_DB_SQLITE_PATH: join(dir, "s4.sqlite"),
      S4_LOG_LEVEL: "warn",
      ...(redis === null ? {} : { S4_REDIS_ADDRESSES: redis.address }),
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url);
    for (let warm = 0; warm < 100; warm += 1) await sendIntent(url, `warm-${mode}`);
    const rows = [
      { mode, ...(await runPhase(url, `seq-${mode}`, 1)) },
      { mode, ...(await runPhase(url, `conc-${mode}`, inFlight)) },
    ];
    return rows;
  } finally {
    router.kill("SIGTERM");
    await router.exited;
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const rows = [...(await runHttpLoadBench("redis")), ...(await runHttpLoadBench("embedded"))];
  printTable(
    `POST /orders over HTTP, FUT BTCUSDT MARKET 0.002, SQLite store, simulated venue`,
    rows,
  );
}
