// The Binance adapter's public surface: the gateway, its options and the few pieces other
// adapters and tests may use directly (URLs, signer, credentials, error table).
export {
  type BinanceGatewayOptions,
  BinanceExchangeGateway,
  recvWindowMsMax,
} from "./binance-exchange-gateway.ts";
export { BinanceCredentials } from "./credentials.ts";
export { errorTable, mapFailure } from "./errors.ts";
export type { RateLimitStats } from "./rate-limits.ts";
export { encodeParams, HmacSigner, webSocketPayload } from "./signer.ts";
export { type BinanceUrls, productionUrls, resolveUrls, testnetUrls } from "./urls.ts";
