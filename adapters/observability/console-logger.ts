// One JSON object per line on stdout/stderr. Values that look like secrets never reach it:
// credential objects redact themselves, and keys named like secrets are masked here too.

import type { LogFields, Logger } from "../../ports/logger.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const secretKey = /secret|password|signature|api_?key/i;

function masked(fields: LogFields | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields ?? {}))
    out[key] = secretKey.test(key) ? "[redacted]" : value;
  return out;
}

export class ConsoleLogger implements Logger {
  constructor(
    private readonly level: LogLevel = "info",
    private readonly now: () => number = Date.now,
  ) {}

  info(message: string, fields?: LogFields): void {
    this.write("info", message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write("warn", message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write("error", message, fields);
  }

  private write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (levelRank[level] < levelRank[this.level]) return;
    const line = JSON.stringify({
      ts: new Date(this.now()).toISOString(),
      level,
      message,
      ...masked(fields),
    });
    if (level === "error" || level === "warn") process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  }
}

/** For tests and benchmarks: keeps the last lines in memory. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; message: string; fields: LogFields | undefined }[] = [];
  private static readonly linesMax = 10_000;

  info(message: string, fields?: LogFields): void {
    this.push("info", message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.push("warn", message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.push("error", message, fields);
  }

  private push(level: string, message: string, fields: LogFields | undefined): void {
    this.lines.push({ level, message, fields });
    if (this.lines.length > MemoryLogger.linesMax) this.lines.shift();
  }
}
