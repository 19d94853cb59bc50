// The route table in force: the validated file table, replaced by a validated override while one
// is set (DESIGN §4). Readers take `current()` per decision, so a refresh applies to the next one.

import type { RouteTable } from "../../domain/execution/index.ts";

export type RouteTableOrigin = "file" | "override";

export class RouteTableHolder {
  private override: RouteTable | null = null;

  constructor(private readonly fileTable: RouteTable) {}

  current(): RouteTable {
    return this.override ?? this.fileTable;
  }

  origin(): RouteTableOrigin {
    return this.override === null ? "file" : "override";
  }

  /** Sets (or with null drops) the override; the file table returns when it is dropped. */
  setOverride(table: RouteTable | null): void {
    this.override = table;
  }
}
