// DESIGN §2 enforced: dependencies point inward (type-only imports included), adapters keep out of
// each other's internals, only main.ts wires adapters, and domain/ and application/ never read the
// clock, the dice, timers or the environment. The checker is first run on synthetic sources so
// that a green run on the real tree cannot be vacuous.

import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type AdapterException,
  checkFile,
  findImports,
  formatViolation,
  locate,
  resolveSpecifier,
  scanSource,
  type Violation,
} from "./source-rules.ts";

/**
 * Deliberate adapter → adapter imports, each with its reason. Keep this empty unless needed; an
 * example of a legitimate entry: the simulator's Binance-protocol server reusing the Binance
 * adapter's signer to verify signatures exactly as a client computes them —
 * { from: "adapters/sim/binance-server/", to: "adapters/binance/signer.ts", why: "…" }.
 */
const adapterExceptions: readonly AdapterException[] = [];

const repositoryRoot = join(import.meta.dir, "..", "..");
const productionRoots = ["domain", "ports", "application", "adapters"];
const sourceExtension = /\.(?:ts|tsx|mts|cts)$/;
const skippedFolders = new Set(["node_modules", "tests", "data", "dist", "coverage"]);

/** Every production TypeScript file: the layer folders, main.ts, and any other top-level code. */
function productionFiles(): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(join(repositoryRoot, folder), { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const path = folder === "" ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory() && !skippedFolders.has(entry.name)) walk(path);
      if (entry.isFile() && sourceExtension.test(entry.name)) files.push(path);
    }
  };
  walk("");
  return files.sort();
}

function read(path: string): string {
  return readFileSync(join(repositoryRoot, path), "utf8");
}

function rulesOf(violations: readonly Violation[]): string[] {
  return violations.map((violation) => `${violation.line}: ${violation.rule}`);
}

describe("the checker (synthetic sources)", () => {
  test("an `import type` from adapters inside domain is caught, with its line", () => {
    const source = [
      "// A domain file that sneaks in a type.",
      'import { add } from "../decimal/index.ts";',
      'import type { SystemClock } from "../../adapters/clock/system-clock.ts";',
    ].join("\n");
    expect(rulesOf(checkFile("domain/order/sneaky.ts", source))).toEqual([
      "3: domain/ imports only domain/ (no packages)",
    ]);
  });

  test("every import form is seen: from, type, export-from, side effect, dynamic, require", () => {
    const source = [
      'import { a } from "hono";', // 1
      'import type { B } from "../../ports/clock.ts";', // 2
      'export { c } from "ioredis";', // 3
      'export type { D } from "valibot";', // 4
      'export * from "../../adapters/memory/x.ts";', // 5
      'import "./side-effect.ts";', // 6
      'const e = await import("../../adapters/sim/engine.ts");', // 7
      'const f = require("node:fs");', // 8
      "type G = typeof import('arangojs');", // 9
      "import {", // 10
      "  h,", // 11
      "  type I,", // 12
      '} from "bun:sqlite";', // 13
      "import J, * as K from 'prom-client';", // 14
      'import L = require("x");', // 15
    ].join("\n");
    const sites = findImports(source);
    expect(sites.map((site) => `${site.line}:${site.form}:${site.specifier}`)).toEqual([
      "1:from:hono",
      "2:from:../../ports/clock.ts",
      "3:from:ioredis",
      "4:from:valibot",
      "5:from:../../adapters/memory/x.ts",
      "6:side-effect:./side-effect.ts",
      "7:dynamic:../../adapters/sim/engine.ts",
      "8:require:node:fs",
      "9:dynamic:arangojs",
      "13:from:bun:sqlite",
      "14:from:prom-client",
      "15:require:x",
    ]);
    const lines = checkFile("domain/x/y.ts", source).map((violation) => violation.line);
    expect(lines).toEqual([1, 2, 3, 4, 5, 7, 8, 9, 13, 14, 15]);
  });

  test("comments, strings, templates and regular expressions hide nothing and invent nothing", () => {
    const source = [
      '// import { x } from "../../adapters/a.ts"; Date.now()', // 1
      "/* Math.random() and", // 2
      '   import "hono"; */', // 3
      'const url = "http://example.com"; const late = Date.now();', // 4
      'const message = "setTimeout is not used here";', // 5
      "const quote = /[\"'`]\\/\\//; const roll = Math.random();", // 6
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      "const text = `at ${Date.now()} // not a comment`;", // 7
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      "const nested = `a ${`b ${performance.now()}`} c`; const s = \"import x from 'y'\";", // 8
      "const half = total / 2; const env = process.env.S4_PORT;", // 9
      "const when = new Date(0);", // 10
    ].join("\n");
    expect(rulesOf(checkFile("application/place-order/x.ts", source))).toEqual([
      "4: application/ takes time, randomness, timers and configuration from ports, not Date.now",
      "6: application/ takes time, randomness, timers and configuration from ports, not Math.random",
      "7: application/ takes time, randomness, timers and configuration from ports, not Date.now",
      "8: application/ takes time, randomness, timers and configuration from ports, not performance.now",
      "9: application/ takes time, randomness, timers and configuration from ports, not process.env",
      "10: application/ takes time, randomness, timers and configuration from ports, not new Date(",
    ]);
    const scanned = scanSource(source);
    expect(scanned.code.length).toBe(source.length);
    expect(scanned.bare.split("\n").length).toBe(source.split("\n").length);
  });

  test.each([
    ["Date.now()", "Date.now"],
    ["new Date()", "new Date("],
    ["Date()", "Date()"],
    ["performance.now()", "performance.now"],
    ["Math.random()", "Math.random"],
    ["crypto.randomUUID()", "crypto.randomUUID"],
    ["setTimeout(run, 5)", "setTimeout"],
    ["setInterval(run, 5)", "setInterval"],
    ["setImmediate(run)", "setImmediate"],
    ["process.env.PORT", "process.env"],
    ['process["env"]', "process.env"],
  ])("%s in domain/ is caught", (call, name) => {
    const violations = checkFile("domain/risk/x.ts", `const value = ${call};`);
    expect(violations.map((violation) => violation.rule)).toEqual([
      `domain/ takes time, randomness, timers and configuration from ports, not ${name}`,
    ]);
    expect(checkFile("adapters/clock/x.ts", `const value = ${call};`)).toEqual([]);
  });

  test("names that merely contain a forbidden word are not caught", () => {
    const source = "const updatedAtMs = order.createdDate; const timeoutMs = 5; toDate(x);";
    expect(checkFile("domain/x.ts", source)).toEqual([]);
  });

  test("ports and application import inward only", () => {
    expect(
      rulesOf(checkFile("ports/x.ts", 'import type { A } from "../application/a/a.ts";')),
    ).toEqual(["1: ports/ imports only domain/ (and ports/; no packages)"]);
    expect(
      checkFile("ports/x.ts", 'import type { Order } from "../domain/order/index.ts";'),
    ).toEqual([]);
    expect(checkFile("ports/x.ts", 'import type { Store } from "./order-store.ts";')).toEqual([]);
    const application = [
      'import type { Clock } from "../../ports/clock.ts";',
      'import { ledger } from "../shared/intent-ledger.ts";',
      'import { dec } from "../../domain/decimal/index.ts";',
      'import { ManualClock } from "../../adapters/clock/manual-clock.ts";',
      'import * as v from "valibot";',
      'import { x } from "../../main.ts";',
    ].join("\n");
    expect(rulesOf(checkFile("application/a/a.ts", application))).toEqual([
      "4: application/ imports only domain/ and ports/ (and application/; no packages)",
      "5: application/ imports only domain/ and ports/ (and application/; no packages)",
      "6: application/ imports only domain/ and ports/ (and application/; no packages)",
    ]);
  });

  test("adapters: inward, own folder, adapters/clock and packages; not another adapter", () => {
    const source = [
      'import { Redis } from "ioredis";',
      'import { dec } from "../../domain/decimal/index.ts";',
      'import type { OrderStore } from "../../ports/order-store.ts";',
      'import { placeOrder } from "../../application/place-order/place-order.ts";',
      'import { SystemClock } from "../clock/system-clock.ts";',
      'import { keys } from "./keys.ts";',
      'import type { Copy } from "../memory/copies.ts";',
      'import { start } from "../../main.ts";',
      'import { fake } from "../../tests/support/fake.ts";',
      'import { outside } from "../../../elsewhere/x.ts";',
    ].join("\n");
    expect(rulesOf(checkFile("adapters/redis/redis-store.ts", source))).toEqual([
      "7: an adapter does not import another adapter's internals (adapters/redis → adapters/memory)",
      "8: adapters/ import only domain/, ports/, application/, adapters/ and packages",
      "9: adapters/ import only domain/, ports/, application/, adapters/ and packages",
      "10: imports must stay inside the repository",
    ]);
  });

  test("a deeper file of an adapter is still that adapter; an allow-list entry permits one edge", () => {
    const source = 'import { sign } from "../../binance/signer.ts";';
    const file = "adapters/sim/binance-server/auth.ts";
    expect(rulesOf(checkFile(file, source))).toEqual([
      "1: an adapter does not import another adapter's internals (adapters/sim → adapters/binance)",
    ]);
    const exception = {
      from: "adapters/sim/binance-server/",
      to: "adapters/binance/signer.ts",
      why: "test",
    };
    expect(checkFile(file, source, [exception])).toEqual([]);
    expect(
      checkFile(file, 'import { x } from "../../binance/rest-client.ts";', [exception]),
    ).toHaveLength(1);
    expect(checkFile(file, 'import { book } from "../engine/book.ts";')).toEqual([]);
  });

  test("only main.ts wires adapters; production code never imports tests", () => {
    const wiring = 'import { SqliteOrderStore } from "./adapters/sqlite/sqlite-order-store.ts";';
    expect(checkFile("main.ts", wiring)).toEqual([]);
    expect(
      rulesOf(checkFile("scripts/seed.ts", `import { x } from "../adapters/sqlite/x.ts";`)),
    ).toEqual(["1: only main.ts and tests/ wire adapters together"]);
    expect(rulesOf(checkFile("main.ts", 'import { f } from "./tests/support/f.ts";'))).toEqual([
      "1: production code does not import tests/",
    ]);
  });

  test("a computed import specifier is refused, since it cannot be checked", () => {
    const source =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      "const name = './x.ts';\nconst module = await import(name);\nrequire(`./${name}`);";
    expect(rulesOf(checkFile("adapters/sim/x.ts", source))).toEqual([
      "2: a computed import specifier cannot be checked; use a literal",
      "3: a computed import specifier cannot be checked; use a literal",
    ]);
  });

  test("locations", () => {
    expect(locate("domain/order/order.ts")).toEqual({ layer: "domain", adapter: "" });
    expect(locate("adapters/sim/engine/book.ts")).toEqual({ layer: "adapters", adapter: "sim" });
    expect(locate("adapters/index.ts")).toEqual({ layer: "adapters", adapter: "" });
    expect(locate("main.ts")).toEqual({ layer: "main", adapter: "" });
    expect(locate("scripts/x.ts")).toEqual({ layer: "other", adapter: "" });
  });

  test("the failure message names file, line, rule and what was imported or called", () => {
    const [violation] = checkFile("domain/x.ts", '\nimport { z } from "valibot";');
    expect(violation === undefined ? "" : formatViolation(violation)).toBe(
      "domain/x.ts:2: domain/ imports only domain/ (no packages) [valibot]",
    );
  });
});

describe("the source tree", () => {
  const files = productionFiles();
  const checked = files.map((file) => ({ file, source: read(file) }));

  test("finds the layers it is meant to check (so a green run means something)", () => {
    for (const root of productionRoots) {
      expect(files.filter((file) => file.startsWith(`${root}/`)).length).toBeGreaterThan(0);
    }
    const domainImports = checked
      .filter(({ file }) => file.startsWith("domain/"))
      .flatMap(({ source }) => findImports(source));
    expect(domainImports.length).toBeGreaterThan(10);
    // A known edge is seen, so the scanner reads real files the way the synthetic tests expect.
    const order = checked.find(({ file }) => file === "domain/order/order.ts");
    expect(findImports(order?.source ?? "").map((site) => site.specifier)).toContain(
      "../decimal/index.ts",
    );
  });

  test("every import points inward and adapters stay out of each other", () => {
    const violations = checked
      .flatMap(({ file, source }) => checkFile(file, source, adapterExceptions))
      .filter((violation) => !violation.rule.includes("takes time"));
    expect(violations.map(formatViolation)).toEqual([]);
  });

  test("domain/ and application/ never read the clock, the dice, timers or the environment", () => {
    const violations = checked
      .filter(({ file }) => file.startsWith("domain/") || file.startsWith("application/"))
      .flatMap(({ file, source }) => checkFile(file, source, adapterExceptions))
      .filter((violation) => violation.rule.includes("takes time"));
    expect(violations.map(formatViolation)).toEqual([]);
  });

  test("every allow-list entry is still used", () => {
    for (const exception of adapterExceptions) {
      const used = checked.some(
        ({ file, source }) =>
          file.startsWith(exception.from) &&
          findImports(source).some((site) => {
            if (site.specifier === null) return false;
            const target = resolveSpecifier(file, site.specifier);
            return target.kind === "path" && target.path.startsWith(exception.to);
          }),
      );
      expect(used ? "" : `unused exception ${exception.from} → ${exception.to}`).toBe("");
    }
  });
});
