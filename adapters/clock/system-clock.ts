// Wall-clock time for production.

import type { Clock } from "../../ports/clock.ts";

export class SystemClock implements Clock {
  nowMs(): number {
    return Date.now();
  }

  sleepMs(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  }
}
