// URL resolution: production defaults, testnet, and one override for every URL.

import { describe, expect, test } from "bun:test";
import { marketStreamPlans } from "../../../adapters/binance/market-stream.ts";
import {
  futuresUserStreamUrl,
  productionUrls,
  resolveUrls,
  testnetUrls,
} from "../../../adapters/binance/urls.ts";

describe("resolveUrls", () => {
  test("production by default (BINANCE.md §8)", () => {
    expect(resolveUrls({})).toEqual({
      spotRest: "https://api.binance.com",
      walletRest: "https://api.binance.com",
      futuresRest: "https://fapi.binance.com",
      spotWebSocketApi: "wss://ws-api.binance.com:443/ws-api/v3",
      spotStreams: "wss://stream.binance.com:9443",
      futuresStreams: "wss://fstream.binance.com",
    });
    expect(resolveUrls({ testnet: false })).toBe(productionUrls);
  });

  test("testnet selects the test hosts, demo-fapi for futures", () => {
    const urls = resolveUrls({ testnet: true });
    expect(urls).toBe(testnetUrls);
    expect(urls.futuresRest).toBe("https://demo-fapi.binance.com");
    expect(urls.spotWebSocketApi).toBe("wss://ws-api.testnet.binance.vision/ws-api/v3");
  });

  test("baseUrl points every REST and WebSocket URL at one server, over testnet", () => {
    const urls = resolveUrls({ baseUrl: "http://127.0.0.1:4567/", testnet: true });
    expect(urls).toEqual({
      spotRest: "http://127.0.0.1:4567",
      walletRest: "http://127.0.0.1:4567",
      futuresRest: "http://127.0.0.1:4567",
      spotWebSocketApi: "ws://127.0.0.1:4567/ws-api/v3",
      spotStreams: "ws://127.0.0.1:4567",
      futuresStreams: "ws://127.0.0.1:4567",
    });
    expect(futuresUserStreamUrl(urls, "abc")).toBe("ws://127.0.0.1:4567/private/ws/abc");
    expect(marketStreamPlans(urls, ["BTCUSDT", "ETHUSDT"], ["BTCUSDT"]).map((p) => p.url)).toEqual([
      "ws://127.0.0.1:4567/stream?streams=btcusdt@bookTicker/ethusdt@bookTicker",
      "ws://127.0.0.1:4567/public/stream?streams=btcusdt@bookTicker",
      "ws://127.0.0.1:4567/market/stream?streams=btcusdt@markPrice@1s",
    ]);
  });

  test("https override derives wss", () => {
    expect(resolveUrls({ baseUrl: "https://sim.local:8443" }).spotWebSocketApi).toBe(
      "wss://sim.local:8443/ws-api/v3",
    );
  });

  test("a non-http override is refused", () => {
    expect(() => resolveUrls({ baseUrl: "ftp://x:1" })).toThrow();
  });
});
