// Symbol rules and the filter checks built on them.
export * from "./symbol-rules.ts";
