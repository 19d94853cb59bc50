// Orders: types, the transition table, the mutator and derived ids.
export * from "./ids.ts";
export * from "./intent.ts";
export * from "./order.ts";
export * from "./order-state.ts";
export * from "./result.ts";
export * from "./types.ts";
