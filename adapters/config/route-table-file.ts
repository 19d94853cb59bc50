// Reads the route table file at S4_ROUTE_TABLE_PATH (DESIGN §4, §10). An unreadable, non-JSON or
// invalid file is a start-up error whose message names the variable, the path and every problem.

import { readFileSync } from "node:fs";
import {
  type RouteTable,
  type RouteTableProblem,
  validateRouteTable,
} from "../../domain/execution/index.ts";

export type RouteTableLoad =
  | { readonly ok: true; readonly table: RouteTable }
  | { readonly ok: false; readonly message: string };

export function describeProblems(problems: readonly RouteTableProblem[]): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join("; ");
}

/** Parses and validates route-table JSON text; `where` names its source in messages. */
export function parseRouteTable(text: string, where: string): RouteTableLoad {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `${where} is not valid JSON: ${(error as Error).message}` };
  }
  const validated = validateRouteTable(json);
  if (!validated.ok) {
    return {
      ok: false,
      message: `${where} is not a valid route table: ${describeProblems(validated.problems)}`,
    };
  }
  return { ok: true, table: validated.table };
}

export function loadRouteTableFile(path: string): RouteTableLoad {
  const where = `S4_ROUTE_TABLE_PATH=${path}`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { ok: false, message: `${where} cannot be read: ${(error as Error).message}` };
  }
  return parseRouteTable(text, where);
}
