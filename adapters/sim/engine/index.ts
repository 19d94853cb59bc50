// The simulated venue's engine: the public API both faces (in-process gateway, Binance-protocol
// server) build on. Everything a face needs is exported from here and nowhere else.

export { type BalanceRecord, futuresMakerRate, futuresTakerRate, spotFeeRate } from "./accounts.ts";
export {
  algoHistoryMax,
  catchUpStepsMax,
  defaultAccount,
  defaultLeverage,
  defaultMids,
  defaultStepMs,
  eventsPerCallMax,
  fillsPerOrderMax,
  leverageMax,
  listenersMax,
  listHistoryMax,
  openAlgoOrdersMax,
  openOrdersPerSymbolMax,
  orderHistoryMax,
  type SimAccountSetup,
  SimEngine,
  type SimEncodedState,
  type SimEngineOptions,
  type SimStateDelta,
  type SimStateSink,
  transfersMax,
  triggerPassesMax,
} from "./engine.ts";
export {
  defaultExchangeInfo,
  defaultSymbolSpecs,
  parseExchangeInfo,
  parseSymbolSpec,
} from "./exchange-info.ts";
export { triggerFires } from "./order-rules.ts";
export {
  type GapPlan,
  isScenarioName,
  type ScenarioName,
  type ScenarioParams,
  scenarioNames,
  scenarioParams,
} from "./scenarios.ts";
export type * from "./types.ts";
