// A worker thread that checkpoints the store's WAL on its own connection, so the fsyncs of a
// checkpoint never stall a commit on the main thread (PASSIVE: it never blocks writers).

import { Database } from "bun:sqlite";

export type CheckpointCommand =
  | {
      readonly type: "start";
      readonly path: string;
      readonly intervalMs: number;
      readonly busyTimeoutMs: number;
    }
  | { readonly type: "stop" };

export type CheckpointReport =
  | { readonly type: "started" }
  | {
      readonly type: "checkpointed";
      readonly logFrames: number;
      readonly checkpointedFrames: number;
    }
  | { readonly type: "failed"; readonly message: string }
  | { readonly type: "stopped" };

declare const self: Worker;

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

function report(message: CheckpointReport): void {
  self.postMessage(message);
}

function checkpoint(): void {
  if (db === null) return;
  try {
    const row = db.query("PRAGMA wal_checkpoint(PASSIVE)").get() as {
      log: number;
      checkpointed: number;
    } | null;
    report({
      type: "checkpointed",
      logFrames: row?.log ?? 0,
      checkpointedFrames: row?.checkpointed ?? 0,
    });
  } catch (error) {
    report({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}

self.onmessage = (event: MessageEvent<CheckpointCommand>) => {
  const command = event.data;
  if (command.type === "start" && db === null) {
    try {
      db = new Database(command.path);
      db.run(`PRAGMA busy_timeout = ${Math.trunc(command.busyTimeoutMs)}`);
      db.run("PRAGMA synchronous = NORMAL");
      timer = setInterval(checkpoint, command.intervalMs);
      report({ type: "started" });
    } catch (error) {
      report({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  if (command.type === "stop") {
    if (timer !== null) clearInterval(timer);
    timer = null;
    db?.close();
    db = null;
    report({ type: "stopped" });
  }
};
