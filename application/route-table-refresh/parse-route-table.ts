// Route-table text → a validated table, or one message naming the source and every problem.

import {
  type RouteTable,
  type RouteTableProblem,
  validateRouteTable,
} from "../../domain/execution/index.ts";

export type RouteTableParse =
  | { readonly ok: true; readonly table: RouteTable }
  | { readonly ok: false; readonly message: string };

export function describeProblems(problems: readonly RouteTableProblem[]): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join("; ");
}

export function parseRouteTableText(text: string, where: string): RouteTableParse {
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
