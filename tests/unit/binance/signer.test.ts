// The signer against every official Binance HMAC vector (BINANCE.md §1, §1b, §2e), and the
// credentials' promise never to print themselves.

import { describe, expect, test } from "bun:test";
import { inspect } from "node:util";
import { BinanceCredentials } from "../../../adapters/binance/credentials.ts";
import { encodeParams, HmacSigner, webSocketPayload } from "../../../adapters/binance/signer.ts";

const spotKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const spotSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const futuresKey = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83";
const futuresSecret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
const fullWidth = "１２３４５６";

const spotSigner = new HmacSigner(new BinanceCredentials(spotKey, spotSecret));
const futuresSigner = new HmacSigner(new BinanceCredentials(futuresKey, futuresSecret));

const spotOrder = (symbol: string) =>
  encodeParams([
    ["symbol", symbol],
    ["side", "BUY"],
    ["type", "LIMIT"],
    ["timeInForce", "GTC"],
    ["quantity", "1"],
    ["price", "0.1"],
    ["recvWindow", "5000"],
    ["timestamp", "1499827319559"],
  ]);

describe("REST signing", () => {
  test("spot official example signs to c8db…", () => {
    const payload = spotOrder("LTCBTC");
    expect(payload).toBe(
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
    );
    expect(spotSigner.signRest(payload)).toBe(
      "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
    );
  });

  test("non-ASCII symbol is percent-encoded before signing (e135…)", () => {
    const payload = spotOrder(fullWidth);
    expect(
      payload.startsWith("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&"),
    ).toBe(true);
    expect(spotSigner.signRest(payload)).toBe(
      "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3",
    );
  });

  test("futures official example signs to 3c66…", () => {
    const payload =
      "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943";
    expect(futuresSigner.signRest(payload)).toBe(
      "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9",
    );
    // The same bytes sent as a body sign the same.
    expect(futuresSigner.signRest("", payload)).toBe(futuresSigner.signRest(payload));
  });

  test("mixed query + body concatenates without a separator (corrected 30baaf…)", () => {
    const query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC";
    const body = "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943";
    expect(futuresSigner.signRest(query, body)).toBe(
      "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4",
    );
  });
});

describe("WebSocket API signing", () => {
  test("sorted raw params sign to aa1b…", () => {
    const params = {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.01000000",
      price: "52000.00",
      recvWindow: "100",
      timestamp: "1645423376532",
      apiKey: spotKey,
    };
    expect(webSocketPayload(params)).toBe(
      `apiKey=${spotKey}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`,
    );
    expect(spotSigner.signWebSocket(params)).toBe(
      "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24",
    );
  });

  test("non-ASCII values stay raw UTF-8 (b338…)", () => {
    const params = {
      symbol: fullWidth,
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "1.00000000",
      price: "0.10000000",
      recvWindow: "5000",
      timestamp: "1645423376532",
      apiKey: spotKey,
    };
    expect(spotSigner.signWebSocket(params)).toBe(
      "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd",
    );
  });

  test("an existing signature param is not part of the payload", () => {
    expect(webSocketPayload({ b: "2", a: "1", signature: "x" })).toBe("a=1&b=2");
  });
});

describe("credentials never print", () => {
  const credentials = new BinanceCredentials(spotKey, spotSecret);
  const signer = new HmacSigner(credentials);

  test.each([
    ["String()", () => String(credentials)],
    ["template", () => `${credentials}`],
    ["JSON", () => JSON.stringify({ credentials, signer })],
    ["inspect", () => inspect(credentials) + inspect(signer)],
    ["Bun.inspect", () => Bun.inspect({ credentials, signer })],
  ])("%s redacts key and secret", (_name, render) => {
    const text = render();
    expect(text).not.toContain(spotKey);
    expect(text).not.toContain(spotSecret);
    expect(text).toContain("redacted");
  });

  test("the hint shows only the key's last four characters", () => {
    expect(credentials.hint()).toBe("…Eh8A");
  });

  test("empty credentials are refused", () => {
    expect(() => new BinanceCredentials("", "x")).toThrow();
  });
});
