// Where a route-table override comes from (DESIGN §4: Redis `router:{param}:curves`). The text is
// untrusted: the application validates it and keeps the previous table when it is not valid.

export interface RouteTableOverrideSource {
  /** Human-readable location for logs and alerts, e.g. "redis router:{param}:curves". */
  readonly location: string;
  /** The override's raw JSON text, or null when no override is set. Throws when unreachable. */
  read(): Promise<string | null>;
}
