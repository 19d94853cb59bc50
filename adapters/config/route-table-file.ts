// Reads the route table file at S4_ROUTE_TABLE_PATH (DESIGN §4, §10). An unreadable, non-JSON or
// invalid file is a start-up error whose message names the variable, the path and every problem.

import { readFileSync } from "node:fs";
import {
  parseRouteTableText,
  type RouteTableParse,
} from "../../application/route-table-refresh/parse-route-table.ts";

export { parseRouteTableText as parseRouteTable };

export function loadRouteTableFile(path: string): RouteTableParse {
  const where = `S4_ROUTE_TABLE_PATH=${path}`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { ok: false, message: `${where} cannot be read: ${(error as Error).message}` };
  }
  return parseRouteTableText(text, where);
}
