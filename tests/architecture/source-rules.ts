// The layering rules of DESIGN §2 as a checker over source text. It reads files rather than
// asking Bun's import scanner, which skips `import type`: a type-only import points a dependency
// the wrong way just as surely as a value import does.

import { posix } from "node:path";

export type Layer = "domain" | "ports" | "application" | "adapters" | "main" | "tests" | "other";

export interface Location {
  readonly layer: Layer;
  /** For adapters/: the first folder under adapters/ ("sim", "binance", …); "" directly in it. */
  readonly adapter: string;
}

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly detail: string;
}

/** A deliberate adapter → adapter import: `from` and `to` are folder prefixes under the repo. */
export interface AdapterException {
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

/** Adapters every adapter may use: shared helpers, not anyone's internals. */
export const sharedAdapterFolders: ReadonlySet<string> = new Set(["clock"]);

/** Layers whose code must not read the clock, the dice, timers or the environment. */
const deterministicLayers: ReadonlySet<Layer> = new Set(["domain", "application"]);

export const forbiddenApis: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: "Date.now", pattern: /\bDate\s*\.\s*now\b/g },
  { name: "new Date(", pattern: /\bnew\s+Date\b/g },
  { name: "Date()", pattern: /(?<![\w$.]|new\s+)Date\s*\(/g },
  { name: "performance.now", pattern: /\bperformance\s*\.\s*now\b/g },
  { name: "Math.random", pattern: /\bMath\s*\.\s*random\b/g },
  { name: "crypto.randomUUID", pattern: /\brandomUUID\b/g },
  { name: "setTimeout", pattern: /\bsetTimeout\b/g },
  { name: "setInterval", pattern: /\bsetInterval\b/g },
  { name: "setImmediate", pattern: /\bsetImmediate\b/g },
  { name: "process.env", pattern: /\bprocess\s*(?:\.\s*env\b|\[)/g },
];

// ---------------------------------------------------------------------------------------------
// Lexing: blank comments (and, for the API check, literal text) without moving any character,
// so an index into the result is an index into the source.

export interface ScannedSource {
  /** Comments blanked; strings intact (import specifiers live in them). */
  readonly code: string;
  /** Comments and the text of strings, templates and regular expressions blanked. */
  readonly bare: string;
}

const regexKeywords = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "instanceof",
  "yield",
  "await",
]);
const regexAfter = new Set([..."(,=:[!&|?{};+-*%<>~^"]);

class Blanker {
  readonly code: string[];
  readonly bare: string[];
  constructor(readonly source: string) {
    this.code = source.split("");
    this.bare = source.split("");
  }
  comment(index: number): void {
    const character = this.source[index];
    if (character === "\n" || character === "\r") return;
    this.code[index] = " ";
    this.bare[index] = " ";
  }
  literal(index: number): void {
    const character = this.source[index];
    if (character === "\n" || character === "\r") return;
    this.bare[index] = " ";
  }
}

/** Is a "/" at `index` the start of a regular expression (rather than a division)? */
function startsRegex(code: readonly string[], index: number): boolean {
  let cursor = index - 1;
  while (cursor >= 0 && /\s/.test(code[cursor] ?? "")) cursor -= 1;
  if (cursor < 0) return true;
  const previous = code[cursor] ?? "";
  if (regexAfter.has(previous)) return true;
  if (!/[\w$]/.test(previous)) return false;
  let start = cursor;
  while (start > 0 && /[\w$]/.test(code[start - 1] ?? "")) start -= 1;
  return regexKeywords.has(code.slice(start, cursor + 1).join(""));
}

/** Skips a regular expression literal; returns the index after it, or -1 if it is not one. */
function skipRegex(source: string, index: number, blanker: Blanker): number {
  let cursor = index + 1;
  let inClass = false;
  for (; cursor < source.length; cursor += 1) {
    const character = source[cursor];
    if (character === "\n") return -1;
    if (character === "\\") cursor += 1;
    else if (character === "[") inClass = true;
    else if (character === "]") inClass = false;
    else if (character === "/" && !inClass) break;
  }
  if (cursor >= source.length) return -1;
  for (let position = index + 1; position < cursor; position += 1) blanker.literal(position);
  cursor += 1;
  while (cursor < source.length && /[a-z]/i.test(source[cursor] ?? "")) cursor += 1;
  return cursor;
}

/** Skips a quoted string starting at `index`; returns the index after the closing quote. */
function skipString(source: string, index: number, blanker: Blanker): number {
  const quote = source[index];
  let cursor = index + 1;
  while (cursor < source.length && source[cursor] !== quote && source[cursor] !== "\n") {
    if (source[cursor] === "\\") {
      blanker.literal(cursor);
      cursor += 1;
    }
    blanker.literal(cursor);
    cursor += 1;
  }
  return cursor + 1;
}

/**
 * Skips template text from `index` (just after "`" or after the "}" closing an expression).
 * Returns the index after the closing "`" and false, or after "${" and true.
 */
function skipTemplateText(source: string, index: number, blanker: Blanker): [number, boolean] {
  let cursor = index;
  while (cursor < source.length) {
    const character = source[cursor];
    if (character === "`") return [cursor + 1, false];
    if (character === "$" && source[cursor + 1] === "{") return [cursor + 2, true];
    if (character === "\\") {
      blanker.literal(cursor);
      cursor += 1;
    }
    blanker.literal(cursor);
    cursor += 1;
  }
  return [cursor, false];
}

export function scanSource(source: string): ScannedSource {
  const blanker = new Blanker(source);
  // One entry per open template expression: the count of "{" opened inside it.
  const templateDepths: number[] = [];
  let index = 0;
  while (index < source.length) {
    const character = source[index];
    const next = source[index + 1];
    if (character === "/" && next === "/") {
      while (index < source.length && source[index] !== "\n") blanker.comment(index++);
    } else if (character === "/" && next === "*") {
      const end = source.indexOf("*/", index + 2);
      const stop = end === -1 ? source.length : end + 2;
      while (index < stop) blanker.comment(index++);
    } else if (character === '"' || character === "'") {
      index = skipString(source, index, blanker);
    } else if (character === "`") {
      const [after, opened] = skipTemplateText(source, index + 1, blanker);
      if (opened) templateDepths.push(0);
      index = after;
    } else if (character === "/" && startsRegex(blanker.code, index)) {
      const after = skipRegex(source, index, blanker);
      index = after === -1 ? index + 1 : after;
    } else if (character === "{" && templateDepths.length > 0) {
      templateDepths[templateDepths.length - 1] = (templateDepths.at(-1) ?? 0) + 1;
      index += 1;
    } else if (character === "}" && templateDepths.length > 0) {
      const depth = templateDepths.pop() ?? 0;
      if (depth > 0) {
        templateDepths.push(depth - 1);
        index += 1;
      } else {
        const [after, opened] = skipTemplateText(source, index + 1, blanker);
        if (opened) templateDepths.push(0);
        index = after;
      }
    } else {
      index += 1;
    }
  }
  return { code: blanker.code.join(""), bare: blanker.bare.join("") };
}

// ---------------------------------------------------------------------------------------------
// Import extraction.

export interface ImportSite {
  /** null when the specifier is computed (`import(name)`) and cannot be checked. */
  readonly specifier: string | null;
  readonly line: number;
  readonly form: "from" | "side-effect" | "dynamic" | "require";
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let cursor = 0; cursor < index; cursor += 1) if (text.charCodeAt(cursor) === 10) line += 1;
  return line;
}

/** `import … from "x"`, `import type … from`, `export … from`, `export type … from`. */
const fromPattern = /\b(?:import|export)\b[^;'"`]*?\bfrom\s*(["'])([^"'\n]*)\1/g;
/** `import "x"` (side effects only). */
const sideEffectPattern = /\bimport\s*(["'])([^"'\n]*)\1/g;
/** `import(` and `require(`, including `typeof import("x")` in type positions. */
const callPattern = /(?<![\w$.])(import|require)\s*\(\s*/g;
const literalArgument = /^(["'`])([^"'`\n$]*)\1/;

/** Every import/export-from/dynamic-import/require specifier in `source`, with its line. */
export function findImports(source: string): ImportSite[] {
  const { code, bare } = scanSource(source);
  const sites: { index: number; site: ImportSite }[] = [];
  // A keyword that is blanked in `bare` sits inside a string, template or regex: not code.
  const isCode = (index: number, keyword: string) => bare.startsWith(keyword, index);
  for (const match of code.matchAll(fromPattern)) {
    const keyword = match[0].startsWith("import") ? "import" : "export";
    if (!isCode(match.index, keyword)) continue;
    const specifierIndex = match.index + match[0].length - 1 - (match[2] ?? "").length;
    const site: ImportSite = { specifier: match[2] ?? "", line: 0, form: "from" };
    sites.push({ index: specifierIndex, site });
  }
  for (const match of code.matchAll(sideEffectPattern)) {
    if (!isCode(match.index, "import")) continue;
    sites.push({
      index: match.index,
      site: { specifier: match[2] ?? "", line: 0, form: "side-effect" },
    });
  }
  for (const match of code.matchAll(callPattern)) {
    const keyword = match[1] ?? "";
    if (!isCode(match.index, keyword)) continue;
    const argumentIndex = match.index + match[0].length;
    const literal = literalArgument.exec(code.slice(argumentIndex, argumentIndex + 1_000));
    const form = keyword === "import" ? "dynamic" : "require";
    sites.push({ index: argumentIndex, site: { specifier: literal?.[2] ?? null, line: 0, form } });
  }
  return sites
    .sort((left, right) => left.index - right.index)
    .map(({ index, site }) => ({ ...site, line: lineAt(source, index) }));
}

// ---------------------------------------------------------------------------------------------
// Rules.

/** Where a repository-relative path lives in the layering. */
export function locate(path: string): Location {
  const [first = "", second = ""] = path.split("/");
  if (path === "main.ts") return { layer: "main", adapter: "" };
  if (first === "domain" || first === "ports" || first === "application" || first === "tests") {
    return { layer: first, adapter: "" };
  }
  if (first === "adapters")
    return { layer: "adapters", adapter: path.includes("/", 9) ? second : "" };
  return { layer: "other", adapter: "" };
}

export type Target =
  | { readonly kind: "package"; readonly name: string }
  | { readonly kind: "path"; readonly path: string };

/** Resolves a specifier against the importing file; paths outside the repository start "../". */
export function resolveSpecifier(file: string, specifier: string): Target {
  if (
    specifier.startsWith("./") ||
    specifier.startsWith("../") ||
    specifier === "." ||
    specifier === ".."
  ) {
    return { kind: "path", path: posix.normalize(posix.join(posix.dirname(file), specifier)) };
  }
  if (specifier.startsWith("/")) return { kind: "path", path: `../${specifier}` };
  return { kind: "package", name: specifier };
}

function isAllowedException(
  file: string,
  target: string,
  exceptions: readonly AdapterException[],
): boolean {
  return exceptions.some((entry) => file.startsWith(entry.from) && target.startsWith(entry.to));
}

/** The rule an import breaks, or null when it is allowed. */
export function importRule(
  file: string,
  target: Target,
  exceptions: readonly AdapterException[] = [],
): string | null {
  const from = locate(file);
  if (target.kind === "path" && (target.path === ".." || target.path.startsWith("../"))) {
    return "imports must stay inside the repository";
  }
  const to = target.kind === "path" ? locate(target.path) : null;
  switch (from.layer) {
    case "domain":
      return to?.layer === "domain" ? null : "domain/ imports only domain/ (no packages)";
    case "ports":
      return to?.layer === "domain" || to?.layer === "ports"
        ? null
        : "ports/ imports only domain/ (and ports/; no packages)";
    case "application":
      return to?.layer === "domain" || to?.layer === "ports" || to?.layer === "application"
        ? null
        : "application/ imports only domain/ and ports/ (and application/; no packages)";
    case "adapters":
      return adapterRule(file, from, target, to, exceptions);
    case "main":
      return to?.layer === "tests" ? "production code does not import tests/" : null;
    case "other":
      if (to?.layer === "adapters") return "only main.ts and tests/ wire adapters together";
      return to?.layer === "tests" ? "production code does not import tests/" : null;
    case "tests":
      return null;
  }
}

function adapterRule(
  file: string,
  from: Location,
  target: Target,
  to: Location | null,
  exceptions: readonly AdapterException[],
): string | null {
  if (target.kind === "package" || to === null) return null;
  if (to.layer === "domain" || to.layer === "ports" || to.layer === "application") return null;
  if (to.layer !== "adapters") {
    return "adapters/ import only domain/, ports/, application/, adapters/ and packages";
  }
  if (to.adapter === from.adapter || sharedAdapterFolders.has(to.adapter)) return null;
  if (target.kind === "path" && isAllowedException(file, target.path, exceptions)) return null;
  return `an adapter does not import another adapter's internals (adapters/${from.adapter} → adapters/${to.adapter})`;
}

/** Every layering violation in one file: its imports and, where it applies, its API use. */
export function checkFile(
  file: string,
  source: string,
  exceptions: readonly AdapterException[] = [],
): Violation[] {
  const violations: Violation[] = [];
  for (const site of findImports(source)) {
    if (site.specifier === null) {
      const rule = "a computed import specifier cannot be checked; use a literal";
      violations.push({ file, line: site.line, rule, detail: `${site.form} with a computed name` });
      continue;
    }
    const rule = importRule(file, resolveSpecifier(file, site.specifier), exceptions);
    if (rule !== null) violations.push({ file, line: site.line, rule, detail: site.specifier });
  }
  if (deterministicLayers.has(locate(file).layer)) violations.push(...apiViolations(file, source));
  return violations.sort((left, right) => left.line - right.line);
}

function apiViolations(file: string, source: string): Violation[] {
  const { bare } = scanSource(source);
  const violations: Violation[] = [];
  const layer = locate(file).layer;
  for (const { name, pattern } of forbiddenApis) {
    for (const match of bare.matchAll(pattern)) {
      violations.push({
        file,
        line: lineAt(bare, match.index),
        rule: `${layer}/ takes time, randomness, timers and configuration from ports, not ${name}`,
        detail: match[0].trim(),
      });
    }
  }
  return violations;
}

export function formatViolation(violation: Violation): string {
  return `${violation.file}:${violation.line}: ${violation.rule} [${violation.detail}]`;
}
