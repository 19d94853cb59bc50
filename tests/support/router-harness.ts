// Starts the whole router as `bun start` would (real HTTP on a free port, real SQLite file,
// optionally a private Redis), for acceptance tests. Stop it in afterAll / finally.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../adapters/config/config.ts";
import { MemoryLogger } from "../../adapters/observability/console-logger.ts";
import { type RunningRouter, startRouter } from "../../main.ts";

export interface TestRouter {
  readonly router: RunningRouter;
  readonly url: string;
  readonly dir: string;
  readonly sqlitePath: string;
  readonly logger: MemoryLogger;
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export interface TestRouterOptions {
  readonly env?: Record<string, string>;
  /** Reuse a directory (and so the SQLite file) to show what survives a restart. */
  readonly dir?: string;
}

export function makeTempDir(prefix = "s4-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestRouter(options: TestRouterOptions = {}): Promise<TestRouter> {
  const dir = options.dir ?? makeTempDir();
  const sqlitePath = join(dir, "s4.sqlite");
  const parsed = parseConfig({ PORT: "0", S4_DB_SQLITE_PATH: sqlitePath, ...options.env });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const logger = new MemoryLogger();
  const router = await startRouter({ config: parsed.config, logger });
  const url = router.url;
  if (url === null) throw new Error("router is not listening");
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(url + path, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsedBody: Record<string, unknown> = {};
    try {
      parsedBody = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsedBody = { text };
    }
    return { status: response.status, body: parsedBody };
  };
  return {
    router,
    url,
    dir,
    sqlitePath,
    logger,
    post: (path, body) => call("POST", path, body),
    get: (path) => call("GET", path),
    async stop() {
      await router.stop();
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
