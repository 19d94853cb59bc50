// Every Binance URL the adapter uses, resolved once from {baseUrl?, testnet?}. A simulator that
// serves these exact paths on one port can stand in for all of Binance.
//
// Production (BINANCE.md §8) and testnet roots:
//
//   role                      production                              testnet
//   spot REST  (/api/v3/...)  https://api.binance.com                 https://testnet.binance.vision
//   wallet     (/sapi/v1/...) https://api.binance.com                 https://testnet.binance.vision (*)
//   futures REST (/fapi/...)  https://fapi.binance.com                https://demo-fapi.binance.com
//   spot WebSocket API        wss://ws-api.binance.com:443/ws-api/v3  wss://ws-api.testnet.binance.vision/ws-api/v3
//   spot market streams       wss://stream.binance.com:9443           wss://stream.testnet.binance.vision
//   futures streams           wss://fstream.binance.com               wss://fstream.binancefuture.com
//   (*) the testnet has no wallet endpoints; a transfer there fails instead of touching production.
//
// With `baseUrl = "http://host:port"` (or https) EVERY URL points at that one server, which must
// serve Binance's own paths; WebSocket URLs use ws:// (or wss://) on the same host and port:
//
//   REST, all products    http://host:port/api/v3/<endpoint>        spot
//                         http://host:port/fapi/v1/<endpoint>       USDⓈ-M (also /fapi/v3/positionRisk,
//                                                                   /fapi/v3/balance)
//                         http://host:port/sapi/v1/asset/transfer   wallet
//   spot WebSocket API    ws://host:port/ws-api/v3                  userDataStream.subscribe.signature
//   spot market streams   ws://host:port/stream?streams=<s1>/<s2>   combined: {"stream","data"}
//                         with <s> = <lowercase symbol>@bookTicker
//   futures public        ws://host:port/public/stream?streams=<s>  <s> = <symbol>@bookTicker
//   futures market        ws://host:port/market/stream?streams=<s>  <s> = <symbol>@markPrice@1s
//   futures user data     ws://host:port/private/ws/<listenKey>     raw events (no wrapper)
//
// The same suffixes are appended to the production and testnet roots above, so the paths a
// simulator serves are exactly the paths production serves.

export interface BinanceUrls {
  /** Root for /api/v3/... */
  readonly spotRest: string;
  /** Root for /sapi/v1/... */
  readonly walletRest: string;
  /** Root for /fapi/v1/... and /fapi/v3/... */
  readonly futuresRest: string;
  /** Full URL of the spot WebSocket API. */
  readonly spotWebSocketApi: string;
  /** Root of the spot market streams; the adapter appends /stream?streams=... */
  readonly spotStreams: string;
  /** Root of the futures streams; the adapter appends /public/..., /market/..., /private/... */
  readonly futuresStreams: string;
}

export interface UrlOptions {
  readonly baseUrl?: string;
  readonly testnet?: boolean;
}

export const productionUrls: BinanceUrls = {
  spotRest: "https://api.binance.com",
  walletRest: "https://api.binance.com",
  futuresRest: "https://fapi.binance.com",
  spotWebSocketApi: "wss://ws-api.binance.com:443/ws-api/v3",
  spotStreams: "wss://stream.binance.com:9443",
  futuresStreams: "wss://fstream.binance.com",
};

export const testnetUrls: BinanceUrls = {
  spotRest: "https://testnet.binance.vision",
  walletRest: "https://testnet.binance.vision",
  futuresRest: "https://demo-fapi.binance.com",
  spotWebSocketApi: "wss://ws-api.testnet.binance.vision/ws-api/v3",
  spotStreams: "wss://stream.testnet.binance.vision",
  futuresStreams: "wss://fstream.binancefuture.com",
};

/** Resolves the URL set: an override wins over `testnet`, which wins over production. */
export function resolveUrls(options: UrlOptions): BinanceUrls {
  if (options.baseUrl !== undefined && options.baseUrl !== "") {
    return overrideUrls(options.baseUrl);
  }
  return options.testnet === true ? testnetUrls : productionUrls;
}

function overrideUrls(baseUrl: string): BinanceUrls {
  const parsed = new URL(baseUrl);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`Condition failed: baseUrl must be http(s)://host:port, got ${baseUrl}`);
  }
  const http = `${parsed.protocol}//${parsed.host}`;
  const ws = `${parsed.protocol === "https:" ? "wss:" : "ws:"}//${parsed.host}`;
  return {
    spotRest: http,
    walletRest: http,
    futuresRest: http,
    spotWebSocketApi: `${ws}/ws-api/v3`,
    spotStreams: ws,
    futuresStreams: ws,
  };
}

export function spotMarketStreamUrl(urls: BinanceUrls, streams: readonly string[]): string {
  return `${urls.spotStreams}/stream?streams=${streams.join("/")}`;
}

export function futuresPublicStreamUrl(urls: BinanceUrls, streams: readonly string[]): string {
  return `${urls.futuresStreams}/public/stream?streams=${streams.join("/")}`;
}

export function futuresMarketStreamUrl(urls: BinanceUrls, streams: readonly string[]): string {
  return `${urls.futuresStreams}/market/stream?streams=${streams.join("/")}`;
}

export function futuresUserStreamUrl(urls: BinanceUrls, listenKey: string): string {
  return `${urls.futuresStreams}/private/ws/${encodeURIComponent(listenKey)}`;
}
