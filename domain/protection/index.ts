// Protection: take-profit and stop prices, spot OCO legs, the guardian (emulated OCO).
export * from "./guardian.ts";
export * from "./guardian-record.ts";
export * from "./spot-oco.ts";
export * from "./targets.ts";
