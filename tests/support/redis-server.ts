// Private Redis servers for tests: a standalone server on a unix socket in a temp dir, or a
// 3-master Cluster on free loopback ports. Nothing is persisted, nothing touches the machine's
// shared Redis on 6379, and stop() removes the process and its directory. Safe to use from several
// test files at once: every server has its own directory, socket and ports.

import { type Subprocess, spawn } from "bun";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServerHandle {
  /** For createRedisClient: "unix:<socket path>". */
  readonly address: string;
  readonly socketPath: string;
  stop(): Promise<void>;
}

export interface RedisClusterHandle {
  /** "127.0.0.1:<port>" of every master. */
  readonly addresses: readonly string[];
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

type Target = { readonly unix: string } | { readonly hostname: string; readonly port: number };

const startTimeoutMs = 10_000;
const pollIntervalMs = 10;
const clusterPortAttemptsMax = 20;

/** Whether the binaries are on PATH; suites skip (saying so) when they are not. */
export function redisBinariesAvailable(): boolean {
  return Bun.which("redis-server") !== null && Bun.which("redis-cli") !== null;
}

export const redisSkipReason =
  "redis-server / redis-cli not on PATH (apt-get install redis-server)";

const liveProcesses = new Set<Subprocess>();
let exitHookInstalled = false;

/** A crashed test run must not leave servers behind. */
function track(child: Subprocess): void {
  liveProcesses.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const live of liveProcesses) live.kill("SIGKILL");
  });
}

async function stopProcess(child: Subprocess): Promise<void> {
  child.kill("SIGTERM");
  const exited = await Promise.race([
    child.exited.then(() => true),
    sleep(3_000).then(() => false),
  ]);
  if (!exited) {
    child.kill("SIGKILL");
    await child.exited;
  }
  liveProcesses.delete(child);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends one command in RESP and returns the first reply's text ("+PONG", a bulk body, "-ERR"). */
export async function respCommand(target: Target, args: readonly string[]): Promise<string> {
  const encoded = args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("");
  const request = `*${args.length}\r\n${encoded}`;
  return new Promise<string>((resolve, reject) => {
    let received = "";
    let settled = false;
    const finish = (reply: string | Error) => {
      if (settled) return;
      settled = true;
      if (reply instanceof Error) reject(reply);
      else resolve(reply);
    };
    const handlers = {
      open(socket: { write(data: string): number }) {
        socket.write(request);
      },
      data(socket: { end(): void }, chunk: Buffer) {
        received += chunk.toString("utf8");
        const reply = completeReply(received);
        if (reply !== null) {
          finish(reply); // before end(): end() runs the close handler synchronously
          socket.end();
        }
      },
      error(_socket: unknown, error: Error) {
        finish(error);
      },
      connectError(_socket: unknown, error: Error) {
        finish(error);
      },
      close() {
        finish(new Error("connection closed before a reply"));
      },
    };
    const connecting =
      "unix" in target
        ? Bun.connect({ unix: target.unix, socket: handlers })
        : Bun.connect({ hostname: target.hostname, port: target.port, socket: handlers });
    connecting.catch((error: unknown) => finish(error as Error));
  });
}

function completeReply(text: string): string | null {
  const lineEnd = text.indexOf("\r\n");
  if (lineEnd < 0) return null;
  const head = text.slice(0, lineEnd);
  if (!head.startsWith("$")) return head;
  const length = Number(head.slice(1));
  if (length < 0) return "";
  const body = text.slice(lineEnd + 2);
  return Buffer.byteLength(body) >= length + 2 ? body.slice(0, length) : null;
}

async function waitUntil(
  check: () => Promise<boolean>,
  child: Subprocess,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited early: ${describe()}`);
    if (await check().catch(() => false)) return;
    await sleep(pollIntervalMs);
  }
  throw new Error(`redis-server not ready after ${startTimeoutMs} ms: ${describe()}`);
}

function readLog(path: string): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-5).join(" | ");
  } catch {
    return "(no log)";
  }
}

const ephemeralSettings = ["--save", "", "--appendonly", "no", "--daemonize", "no"];

export async function startRedisServer(): Promise<RedisServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), "s4-redis-"));
  const socketPath = join(dir, "redis.sock");
  const logPath = join(dir, "redis.log");
  const child = spawn(
    [
      "redis-server",
      "--port",
      "0",
      "--unixsocket",
      socketPath,
      "--unixsocketperm",
      "700",
      "--dir",
      dir,
      "--logfile",
      logPath,
      ...ephemeralSettings,
    ],
    { stdout: "ignore", stderr: "ignore", stdin: "ignore" },
  );
  track(child);
  const stop = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      async () => (await respCommand({ unix: socketPath }, ["PING"])) === "+PONG",
      child,
      () => readLog(logPath),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { address: `unix:${socketPath}`, socketPath, stop };
}

async function portFree(port: number): Promise<boolean> {
  try {
    const listener = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    listener.stop(true);
    return true;
  } catch {
    return false;
  }
}

/** A client port whose cluster bus port (+10000) is free too. */
async function pickClusterPort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 21_000 + Math.floor(Math.random() * 11_000);
    if (taken.has(port) || taken.has(port + 10_000) || taken.has(port - 10_000)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) return port;
  }
  throw new Error("no free port pair for a cluster node");
}

interface ClusterNode {
  readonly port: number;
  readonly child: Subprocess;
}

async function startClusterNode(dir: string, taken: Set<number>): Promise<ClusterNode> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < clusterPortAttemptsMax; attempt += 1) {
    const port = await pickClusterPort(taken);
    taken.add(port);
    const logPath = join(dir, `node-${port}.log`);
    const child = spawn(
      [
        "redis-server",
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        `nodes-${port}.conf`,
        "--cluster-node-timeout",
        "5000",
        "--dir",
        dir,
        "--logfile",
        logPath,
        ...ephemeralSettings,
      ],
      { stdout: "ignore", stderr: "ignore", stdin: "ignore" },
    );
    track(child);
    try {
      await waitUntil(
        async () => (await respCommand({ hostname: "127.0.0.1", port }, ["PING"])) === "+PONG",
        child,
        () => readLog(logPath),
      );
      return { port, child };
    } catch (error) {
      lastError = error; // most likely the port was taken between the check and the bind
      await stopProcess(child);
    }
  }
  throw lastError;
}

/** Starts `masters` cluster-enabled servers and joins them with `redis-cli --cluster create`. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const dir = mkdtempSync(join(tmpdir(), "s4-redis-cluster-"));
  const nodes: ClusterNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => stopProcess(node.child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const taken = new Set<number>();
    for (let index = 0; index < masters; index += 1) nodes.push(await startClusterNode(dir, taken));
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    const create = spawn(
      [
        "redis-cli",
        "--cluster",
        "create",
        ...addresses,
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      { stdout: "pipe", stderr: "pipe", stdin: "ignore" },
    );
    const [exitCode, output] = await Promise.all([
      create.exited,
      new Response(create.stdout).text(),
    ]);
    if (exitCode !== 0) throw new Error(`redis-cli --cluster create failed: ${output.slice(-500)}`);
    for (const node of nodes) {
      await waitUntil(
        async () => {
          const info = await respCommand({ hostname: "127.0.0.1", port: node.port }, [
            "CLUSTER",
            "INFO",
          ]);
          return info.includes("cluster_state:ok");
        },
        node.child,
        () => readLog(join(dir, `node-${node.port}.log`)),
      );
    }
    return { addresses, ports: nodes.map((node) => node.port), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
