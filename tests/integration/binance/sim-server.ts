// Starts the Binance-protocol simulator server (`bun run sim:binance -- --port 0 ...`) and reads
// its first stdout line: one JSON object with base_url, api_key and api_secret.

import { existsSync } from "node:fs";
import { join } from "node:path";

export const simulatorCliPath = join(
  import.meta.dir,
  "../../../adapters/sim/binance-server/cli.ts",
);

export function simulatorAvailable(): boolean {
  return existsSync(simulatorCliPath);
}

export interface SimulatorServer {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  stop(): Promise<void>;
}

const bannerWaitMs = 20_000;

export async function startSimulator(seed: number, scenario: string): Promise<SimulatorServer> {
  const child = Bun.spawn(
    [
      process.execPath,
      simulatorCliPath,
      "--port",
      "0",
      "--seed",
      String(seed),
      "--scenario",
      scenario,
    ],
    { cwd: join(import.meta.dir, "../../.."), stdout: "pipe", stderr: "inherit" },
  );
  const banner = await firstLine(child.stdout, bannerWaitMs).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  const parsed = JSON.parse(banner) as { base_url?: string; api_key?: string; api_secret?: string };
  if (
    parsed.base_url === undefined ||
    parsed.api_key === undefined ||
    parsed.api_secret === undefined
  ) {
    child.kill();
    throw new Error(`simulator banner lacks base_url/api_key/api_secret: ${banner}`);
  }
  return {
    baseUrl: parsed.base_url,
    apiKey: parsed.api_key,
    apiSecret: parsed.api_secret,
    async stop() {
      child.kill();
      await child.exited;
    },
  };
}

async function firstLine(stream: ReadableStream<Uint8Array>, limitMs: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const timeout = new Promise<null>((resolve) =>
      setTimeout(() => resolve(null), deadline - Date.now()),
    );
    const chunk = await Promise.race([reader.read(), timeout]);
    if (chunk === null || chunk.done) break;
    buffered += decoder.decode(chunk.value, { stream: true });
    const newline = buffered.indexOf("\n");
    if (newline >= 0) {
      reader.releaseLock();
      return buffered.slice(0, newline).trim();
    }
  }
  throw new Error("the simulator printed no banner line in time");
}
