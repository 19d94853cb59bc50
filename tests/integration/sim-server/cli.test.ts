// The command line: `bun run adapters/sim/binance-server/cli.ts --port 0 …` prints exactly one
// JSON object as its first stdout line, serves on that address, and stops cleanly on SIGTERM.
// Bad arguments stop it with exit code 2 and a message.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseCli } from "../../../adapters/sim/binance-server/cli.ts";
import { defaultApiKey } from "../../../adapters/sim/binance-server/server.ts";

const root = join(import.meta.dir, "..", "..", "..");
const cliPath = "adapters/sim/binance-server/cli.ts";

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text.slice(0, text.indexOf("\n"));
}

describe("cli", () => {
  test("first stdout line is the JSON address card; SIGTERM stops with code 0", async () => {
    const child = Bun.spawn(
      [process.execPath, "run", cliPath, "--port", "0", "--seed", "5", "--scenario", "trend_up"],
      { cwd: root, stdout: "pipe", stderr: "pipe" },
    );
    try {
      const card = JSON.parse(await firstLine(child.stdout)) as Record<string, unknown>;
      expect(card).toMatchObject({
        api_key: defaultApiKey,
        seed: 5,
        scenario: "trend_up",
        admin_path: "/__admin",
      });
      expect(card["base_url"]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(card["ws_base_url"]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      expect(String(card["api_secret"])).toHaveLength(64);
      const ping = await fetch(`${card["base_url"]}/api/v3/ping`);
      expect(await ping.json()).toEqual({});
    } finally {
      child.kill("SIGTERM");
    }
    expect(await child.exited).toBe(0);
  });

  test("parses every flag; rejects unknown flags, scenarios and bad plans", () => {
    const parsed = parseCli([
      "--",
      "--port",
      "0",
      "--seed=9",
      "--scenario",
      "gap_down",
      "--api-key",
      "k".repeat(64),
      "--api-secret",
      "s".repeat(64),
      "--clock",
      "manual",
      "--start-ms",
      "1700000000000",
      "--fault-plan",
      '{"retryAfterMs":2000,"script":[{"kind":"PLACE","fault":"UNAVAILABLE"}]}',
    ]);
    if (typeof parsed === "string") throw new Error(parsed);
    expect(parsed.server).toMatchObject({ port: 0, seed: 9, scenario: "gap_down" });
    expect(parsed.server.clock?.nowMs()).toBe(1_700_000_000_000);
    expect(parsed.server.faultPlan?.script).toEqual([{ kind: "PLACE", fault: "UNAVAILABLE" }]);
    expect(parseCli(["--nope", "1"])).toBe("unknown argument --nope");
    expect(parseCli(["--scenario", "storm"])).toStartWith("--scenario must be one of");
    expect(parseCli(["--fault-plan", '{"latency":{"kind":"SLOW"}}'])).toStartWith("--fault-plan:");
    expect(parseCli(["--port"])).toBe("--port needs a value");
    expect(parseCli(["--rate-limit-scale", "0"])).toBe(
      "--rate-limit-scale must be an integer >= 1",
    );
    const scaled = parseCli(["--rate-limit-scale", "50"]);
    expect(typeof scaled !== "string" && scaled.server.rateLimitScale).toBe(50);
  });

  test("bad arguments exit with code 2", async () => {
    const child = Bun.spawn([process.execPath, "run", cliPath, "--scenario", "storm"], {
      cwd: root,
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await child.exited).toBe(2);
    expect(await new Response(child.stderr).text()).toContain("--scenario must be one of");
  });
});
