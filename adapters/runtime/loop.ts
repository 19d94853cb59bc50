// Periodic work driven from outside the application (STYLE rule 2): each run says how long to
// wait before the next; errors are logged and retried after `errorWaitMs`. Wall-clock timers
// live here, in an adapter, never in domain/ or application/.

import type { Logger } from "../../ports/logger.ts";

export interface Loop {
  /** Runs the body now instead of at its scheduled time (coalesced if already running). */
  nudge(): void;
  stop(): Promise<void>;
}

export function startLoop(
  name: string,
  body: () => Promise<number>,
  logger: Logger,
  errorWaitMs = 1_000,
): Loop {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  const schedule = (waitMs: number) => {
    if (stopped) return;
    timer = setTimeout(run, Math.max(0, waitMs));
  };

  function run(): void {
    timer = null;
    if (running !== null) {
      again = true;
      return;
    }
    running = (async () => {
      let waitMs = errorWaitMs;
      try {
        waitMs = await body();
      } catch (error) {
        logger.error(`${name} failed`, { error: String(error) });
      }
      running = null;
      if (again) {
        again = false;
        waitMs = 0;
      }
      schedule(waitMs);
    })();
  }

  schedule(0);
  return {
    nudge() {
      if (stopped) return;
      if (running !== null) {
        again = true;
        return;
      }
      if (timer !== null) clearTimeout(timer);
      run();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await running;
    },
  };
}
