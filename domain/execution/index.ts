// Execution math: route table, policy choice, TWAP plans, maker→taker, liquidity probe, TCA.
export * from "./liquidity-probe.ts";
export * from "./maker-taker.ts";
export * from "./policy.ts";
export * from "./route-table.ts";
export * from "./tca.ts";
export * from "./tradable.ts";
export * from "./twap-plan.ts";
