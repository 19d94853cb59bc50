// Execution math: TCA, and (later) maker-wait curves and TWAP plans.
export * from "./tca.ts";
