// Exact decimal arithmetic and grids; the one place prices and quantities are computed.
export * from "./decimal.ts";
export * from "./steps.ts";
