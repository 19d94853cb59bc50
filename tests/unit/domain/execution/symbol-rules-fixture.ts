// The real BTCUSDT/ETHUSDT filters (tests/fixtures/binance/exchange-info-*.json), written out as
// SymbolRules so domain tests need no adapter to read them.

import { dec } from "../../../../domain/decimal/index.ts";
import type { SymbolRules } from "../../../../domain/instrument/index.ts";

export const spotBtcRules: SymbolRules = {
  market: "SPOT",
  symbol: "BTCUSDT",
  status: "TRADING",
  baseAsset: "BTC",
  quoteAsset: "USDT",
  price: { min: dec("0.01"), max: dec("1000000"), tick: dec("0.01") },
  lot: { min: dec("0.00001"), max: dec("9000"), step: dec("0.00001") },
  marketLot: { min: dec("0"), max: dec("188.9393325"), step: dec("0") },
  notional: {
    min: dec("5"),
    applyMinToMarket: true,
    max: dec("9000000"),
    applyMaxToMarket: false,
    waivedForReduceOnly: false,
  },
};

export const futBtcRules: SymbolRules = {
  market: "FUT",
  symbol: "BTCUSDT",
  status: "TRADING",
  baseAsset: "BTC",
  quoteAsset: "USDT",
  price: { min: dec("556.8"), max: dec("4529764"), tick: dec("0.1") },
  lot: { min: dec("0.001"), max: dec("1000"), step: dec("0.001") },
  marketLot: { min: dec("0.001"), max: dec("120"), step: dec("0.001") },
  notional: {
    min: dec("50"),
    applyMinToMarket: true,
    max: dec("0"),
    applyMaxToMarket: false,
    waivedForReduceOnly: true,
  },
};

export const futEthRules: SymbolRules = {
  ...futBtcRules,
  symbol: "ETHUSDT",
  baseAsset: "ETH",
  price: { min: dec("39.86"), max: dec("306177"), tick: dec("0.01") },
  lot: { min: dec("0.001"), max: dec("10000"), step: dec("0.001") },
  marketLot: { min: dec("0.001"), max: dec("2000"), step: dec("0.001") },
  notional: { ...futBtcRules.notional!, min: dec("20") },
};
