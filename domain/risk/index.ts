// Risk gates: the exchange circuit breaker and the kill switch.
export * from "./circuit-breaker.ts";
export * from "./kill-switch.ts";
