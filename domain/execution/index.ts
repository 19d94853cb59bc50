// Execution math: route table, policy choice, TWAP plans, maker→taker, liquidity probe, TCA.
export * from "./route-table.ts";
export * from "./tca.ts";
export * from "./tradable.ts";
