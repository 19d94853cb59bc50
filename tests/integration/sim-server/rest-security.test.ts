// Request security over real HTTP: Binance's official HMAC vectors (spot, non-ASCII, futures,
// futures query + body), API-key checks, both -1021 messages, µs timestamps, recvWindow bounds,
// duplicate parameters and query-over-body precedence.

import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { hmacHex, plain, signed } from "./sim-server-kit.ts";

// BINANCE.md §1 and §1b: the documented key pairs and signatures.
const spotKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const spotSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const spotPayload =
  "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
const spotSignature = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
const wideSymbol = "%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96";
const wideSignature = "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3";
const futuresKey = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83";
const futuresSecret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
const futuresPayload =
  "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943";
const futuresSignature = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9";
const mixedQuery = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC";
const mixedBody = "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943";
const mixedSignature = "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4";

const spotServer = startBinanceSimServer({
  clock: new ManualClock(1_499_827_319_559 + 300),
  apiKey: spotKey,
  apiSecret: spotSecret,
});
const futuresServer = startBinanceSimServer({
  clock: new ManualClock(1_591_702_613_943 + 300),
  apiKey: futuresKey,
  apiSecret: futuresSecret,
});
const server = startBinanceSimServer({ clock: new ManualClock(1_800_000_000_000), seed: 3 });
afterAll(async () => {
  await Promise.all([spotServer.stop(), futuresServer.stop(), server.stop()]);
});

async function post(base: string, query: string, key: string, body = "") {
  const response = await fetch(`${base}/${query}`, {
    method: "POST",
    headers: { "X-MBX-APIKEY": key, "Content-Type": "application/x-www-form-urlencoded" },
    ...(body === "" ? {} : { body }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { code: number; msg: string },
  };
}

describe("official HMAC vectors", () => {
  test("the vectors themselves hold", () => {
    expect(hmacHex(spotSecret, spotPayload)).toBe(spotSignature);
    expect(hmacHex(futuresSecret, futuresPayload)).toBe(futuresSignature);
    expect(hmacHex(futuresSecret, mixedQuery + mixedBody)).toBe(mixedSignature);
  });

  test("spot: the documented request passes the signature (then LTCBTC is unknown)", async () => {
    const base = `${spotServer.baseUrl}`;
    const ok = await post(base, `api/v3/order?${spotPayload}&signature=${spotSignature}`, spotKey);
    expect(ok.body).toEqual({ code: -1121, msg: "Invalid symbol." });
    const upper = await post(
      base,
      `api/v3/order?${spotPayload}&signature=${spotSignature.toUpperCase()}`,
      spotKey,
    );
    expect(upper.body.code).toBe(-1121);
    const tampered = spotSignature.replace(/^c8/, "c9");
    const bad = await post(base, `api/v3/order?${spotPayload}&signature=${tampered}`, spotKey);
    expect(bad).toEqual({
      status: 400,
      body: { code: -1022, msg: "Signature for this request is not valid." },
    });
  });

  test("spot: a non-ASCII symbol is signed over its percent-encoded bytes", async () => {
    const payload = spotPayload.replace("LTCBTC", wideSymbol);
    const ok = await post(
      spotServer.baseUrl,
      `api/v3/order?${payload}&signature=${wideSignature}`,
      spotKey,
    );
    expect(ok.body.code).toBe(-1121);
    const decoded = spotPayload.replace("LTCBTC", "１２３４５６");
    const signature = hmacHex(spotSecret, decoded);
    const raw = await post(
      spotServer.baseUrl,
      `api/v3/order?${payload}&signature=${signature}`,
      spotKey,
    );
    expect(raw.body.code).toBe(-1022);
  });

  test("futures: query, body, and query + body (concatenated without '&')", async () => {
    const base = futuresServer.baseUrl;
    const inQuery = await post(
      base,
      `fapi/v1/order?${futuresPayload}&signature=${futuresSignature}`,
      futuresKey,
    );
    // Signature accepted: the order reaches the filters (9000 is far below the mark).
    expect(inQuery.body).toEqual({
      code: -4024,
      msg: "Price is lower than mark price multiplier floor.",
    });
    const inBody = await post(
      base,
      "fapi/v1/order",
      futuresKey,
      `${futuresPayload}&signature=${futuresSignature}`,
    );
    expect(inBody.body.code).toBe(-4024);
    const mixed = await post(
      base,
      `fapi/v1/order?${mixedQuery}`,
      futuresKey,
      `${mixedBody}&signature=${mixedSignature}`,
    );
    expect(mixed.body.code).toBe(-4024);
    const docTypo = "f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2";
    const typo = await post(
      base,
      `fapi/v1/order?${mixedQuery}`,
      futuresKey,
      `${mixedBody}&signature=${docTypo}`,
    );
    expect(typo.body.code).toBe(-1022);
  });
});

describe("API key", () => {
  test("missing or malformed → -2014, well-formed but unknown → -2015 (HTTP 401)", async () => {
    const missing = await signed(server, "GET", "/api/v3/account", {}, { apiKey: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ code: -2014, msg: "API-key format invalid." });
    const short = await signed(server, "GET", "/api/v3/account", {}, { apiKey: "abc" });
    expect(short.body.code).toBe(-2014);
    const unknown = await signed(server, "GET", "/fapi/v2/balance", {}, { apiKey: "A".repeat(64) });
    expect(unknown.body).toEqual({
      code: -2015,
      msg: "Invalid API-key, IP, or permissions for action.",
    });
    const listenKey = await plain(server, "POST", "/fapi/v1/listenKey");
    expect(listenKey.body.code).toBe(-2014);
  });

  test("a wrong secret is -1022; a missing signature or timestamp is -1102", async () => {
    const wrong = await signed(server, "GET", "/api/v3/account", {}, { secret: "x".repeat(64) });
    expect(wrong.body.code).toBe(-1022);
    const headers = { "X-MBX-APIKEY": server.apiKey };
    const unsigned = await fetch(
      `${server.baseUrl}/api/v3/account?timestamp=${server.clock.nowMs()}`,
      { headers },
    );
    expect(await unsigned.json()).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    });
    const noTime = await fetch(`${server.baseUrl}/api/v3/account?signature=00`, { headers });
    expect(((await noTime.json()) as { msg: string }).msg).toBe(
      "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    );
  });
});

describe("timing", () => {
  const now = () => server.clock.nowMs();

  test("outside recvWindow and 1000 ms ahead are the two -1021 messages", async () => {
    const late = await signed(server, "GET", "/api/v3/account", {}, { timestampMs: now() - 5_001 });
    expect(late.body).toEqual({
      code: -1021,
      msg: "Timestamp for this request is outside of the recvWindow.",
    });
    const ahead = await signed(
      server,
      "GET",
      "/fapi/v2/balance",
      {},
      { timestampMs: now() + 1_000 },
    );
    expect(ahead.body).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    const edge = await signed(server, "GET", "/api/v3/account", {}, { timestampMs: now() + 999 });
    expect(edge.status).toBe(200);
    const wide = await signed(
      server,
      "GET",
      "/api/v3/account",
      {},
      { timestampMs: now() - 20_000, recvWindow: 30_000 },
    );
    expect(wide.status).toBe(200);
  });

  test("microsecond timestamps and decimal recvWindow are accepted; recvWindow > 60000 is not", async () => {
    const micro = await signed(
      server,
      "GET",
      "/api/v3/account",
      {},
      { timestampMs: now() * 1000 + 123 },
    );
    expect(micro.status).toBe(200);
    const decimal = await signed(
      server,
      "GET",
      "/api/v3/account",
      { recvWindow: "6000.346" },
      { recvWindow: null },
    );
    expect(decimal.status).toBe(200);
    const tooBig = await signed(server, "GET", "/api/v3/account", {}, { recvWindow: 60_001 });
    expect(tooBig.body).toEqual({
      code: -1102,
      msg: "'recvWindow' contains unexpected value. Cannot be greater than 60000.",
    });
  });
});

describe("parameters", () => {
  test("a parameter repeated in the query is -1101", async () => {
    const nowMs = server.clock.nowMs();
    const payload = `symbol=BTCUSDT&symbol=ETHUSDT&timestamp=${nowMs}`;
    const response = await fetch(
      `${server.baseUrl}/api/v3/openOrders?${payload}&signature=${hmacHex(server.apiSecret, payload)}`,
      { headers: { "X-MBX-APIKEY": server.apiKey } },
    );
    expect(await response.json()).toEqual({
      code: -1101,
      msg: "Duplicate values for a parameter detected.",
    });
  });

  test("params may come in the body; the query wins over the body", async () => {
    const order = { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.001" };
    const inBody = await signed(server, "POST", "/api/v3/order/test", order, { inBody: true });
    expect(inBody).toMatchObject({ status: 200, body: {} });
    const nowMs = server.clock.nowMs();
    const query = "symbol=BTCUSDT";
    const body = `symbol=NOPE&timestamp=${nowMs}`;
    const signature = hmacHex(server.apiSecret, query + body);
    const response = await fetch(`${server.baseUrl}/api/v3/openOrders?${query}`, {
      method: "DELETE",
      headers: {
        "X-MBX-APIKEY": server.apiKey,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: `${body}&signature=${signature}`,
    });
    expect(response.status).toBe(200);
  });

  test("unknown paths are 404", async () => {
    const response = await plain(server, "GET", "/api/v3/nothing");
    expect(response.status).toBe(404);
  });
});
