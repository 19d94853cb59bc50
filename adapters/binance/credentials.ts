// API key and secret behind a value that never prints them: toString, toJSON and inspect all
// answer a redacted form, and the secret is reachable only through the signer.

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

export class BinanceCredentials {
  readonly #apiKey: string;
  readonly #apiSecret: string;

  constructor(apiKey: string, apiSecret: string) {
    if (apiKey === "" || apiSecret === "") {
      throw new Error("Condition failed: Binance api key and secret must be non-empty");
    }
    this.#apiKey = apiKey;
    this.#apiSecret = apiSecret;
  }

  /** The key is sent in a header, so it is readable; it still never prints. */
  apiKey(): string {
    return this.#apiKey;
  }

  /** For the signer only. */
  secretBytes(): Uint8Array {
    return new TextEncoder().encode(this.#apiSecret);
  }

  /** A short, non-secret hint for logs: the key's last four characters. */
  hint(): string {
    return `…${this.#apiKey.slice(-4)}`;
  }

  toString(): string {
    return `BinanceCredentials(${redacted})`;
  }

  toJSON(): string {
    return redacted;
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}

export const redacted = "[redacted]";
