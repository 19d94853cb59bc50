// Time enters the application through this port only; tests drive it with a manual clock.

export interface Clock {
  nowMs(): number;
  /** Resolves once `ms` of this clock's time has passed (manual clocks: when advanced). */
  sleepMs(ms: number): Promise<void>;
}
