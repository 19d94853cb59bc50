// Starts the Binance-protocol simulator as its own process, exactly as `bun run sim:binance`
// does, and reads the JSON object on its first stdout line.

import { spawn, type Subprocess } from "bun";

export interface SimServerProcess {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly banner: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startSimServerProcess(
  args: readonly string[] = [],
): Promise<SimServerProcess> {
  const child: Subprocess<"ignore", "pipe", "inherit"> = spawn(
    [process.execPath, "run", "adapters/sim/binance-server/cli.ts", "--port", "0", ...args],
    { stdin: "ignore", stdout: "pipe", stderr: "inherit" },
  );
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  while (!buffered.includes("\n")) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`simulator exited before its banner: ${buffered}`);
    buffered += decoder.decode(chunk.value, { stream: true });
  }
  const banner = JSON.parse(buffered.slice(0, buffered.indexOf("\n"))) as Record<string, unknown>;
  // Keep draining its logs so the pipe never fills.
  void (async () => {
    for (;;) if ((await reader.read()).done) return;
  })();
  return {
    baseUrl: String(banner["base_url"]),
    apiKey: String(banner["api_key"]),
    apiSecret: String(banner["api_secret"]),
    banner,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}
