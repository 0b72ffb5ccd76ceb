// The engine contract: what the layers need from a SQL engine. DuckDB (embedded) implements it; Athena later.
export type Row = Record<string, unknown>;

export interface Engine {
  readonly kind: string;
  /** Executes statements that return nothing useful (DDL, COPY). */
  run(sql: string, params?: unknown[] | Record<string, unknown>): Promise<void>;
  /** Executes a query and returns all rows as plain JS objects (BIGINT → number when safe, else string). */
  all<T extends Row = Row>(sql: string, params?: unknown[] | Record<string, unknown>): Promise<T[]>;
  /** Streams rows in chunks, constant memory for large results. */
  stream<T extends Row = Row>(sql: string, params?: unknown[] | Record<string, unknown>): AsyncIterable<T[]>;
  close(): Promise<void>;
}
