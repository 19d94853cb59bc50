// Owns the checkpoint worker of one store file: starts it, counts its runs, stops it on close.
// The worker is unref'd, so a store left open never keeps the process alive.

import type { CheckpointCommand, CheckpointReport } from "./checkpoint-worker.ts";

export interface CheckpointStats {
  readonly runs: number;
  /** WAL frames not yet copied into the database after the last run. */
  readonly framesBehind: number;
  readonly lastError: string | null;
}

const stopTimeoutMs = 2_000;

export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private runs = 0;
  private framesBehind = 0;
  private lastError: string | null = null;
  private stopped: Promise<void> | null = null;
  private resolveStopped: (() => void) | null = null;

  constructor(path: string, intervalMs: number, busyTimeoutMs: number) {
    this.worker = new Worker(new URL("./checkpoint-worker.ts", import.meta.url).href);
    this.worker.unref();
    this.worker.onmessage = (event: MessageEvent<CheckpointReport>) => this.onReport(event.data);
    this.worker.onerror = (event) => {
      this.lastError = event.message;
    };
    this.send({ type: "start", path, intervalMs, busyTimeoutMs });
  }

  stats(): CheckpointStats {
    return { runs: this.runs, framesBehind: this.framesBehind, lastError: this.lastError };
  }

  /** Asks the worker to close its connection, then ends the thread (forcibly if it is stuck). */
  stop(): Promise<void> {
    if (this.stopped !== null) return this.stopped;
    const acknowledged = new Promise<void>((resolve) => {
      this.resolveStopped = resolve;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, stopTimeoutMs);
    });
    this.send({ type: "stop" });
    this.stopped = Promise.race([acknowledged, timeout]).then(() => {
      clearTimeout(timer);
      this.worker.terminate();
    });
    return this.stopped;
  }

  private send(command: CheckpointCommand): void {
    this.worker.postMessage(command);
  }

  private onReport(report: CheckpointReport): void {
    switch (report.type) {
      case "checkpointed":
        this.runs += 1;
        this.framesBehind = Math.max(0, report.logFrames - report.checkpointedFrames);
        this.lastError = null;
        return;
      case "failed":
        this.lastError = report.message;
        return;
      case "stopped":
        this.resolveStopped?.();
        return;
      case "started":
        return;
    }
  }
}
