// The only module that touches @duckdb/node-api: its value types do not leak past this file.
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Engine, Row } from '../../core/engine.ts';
import { EventlakeError } from '../../core/errors.ts';

export interface DuckDbOptions {
  /** Database file; ':memory:' (default) for a throwaway engine. */
  path?: string;
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
  /** Preserve insertion order (off lets DuckDB stream more freely when order does not matter). */
  preserveInsertionOrder?: boolean;
}

function toJs(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(toJs);
  if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJs(x);
    return o;
  }
  return v;
}

function convertRow(r: Record<string, unknown>): Row {
  const o: Row = {};
  for (const [k, v] of Object.entries(r)) o[k] = toJs(v);
  return o;
}

export class DuckDbEngine implements Engine {
  readonly kind = 'duckdb';
  private constructor(private readonly instance: DuckDBInstance, private readonly conn: DuckDBConnection) {}

  static async open(opts: DuckDbOptions = {}): Promise<DuckDbEngine> {
    const cfg: Record<string, string> = {};
    if (opts.memoryLimit) cfg.memory_limit = opts.memoryLimit;
    if (opts.threads) cfg.threads = String(opts.threads);
    if (opts.tempDirectory) cfg.temp_directory = opts.tempDirectory;
    if (opts.preserveInsertionOrder === false) cfg.preserve_insertion_order = 'false';
    try {
      const instance = await DuckDBInstance.create(opts.path ?? ':memory:', cfg);
      const conn = await instance.connect();
      return new DuckDbEngine(instance, conn);
    } catch (e) {
      throw new EventlakeError(`cannot open DuckDB database ${opts.path ?? ':memory:'}: ${(e as Error).message}`, {
        step: 'engine.duckdb',
        cause: e,
        retryable: /lock/i.test(String((e as Error).message)),
      });
    }
  }

  private wrap(e: unknown, sql: string): EventlakeError {
    const first = sql.trim().split('\n')[0]?.slice(0, 120);
    return new EventlakeError(`DuckDB: ${(e as Error).message} [in: ${first}]`, { step: 'engine.duckdb', cause: e });
  }

  async run(sql: string, params?: unknown[] | Record<string, unknown>): Promise<void> {
    try {
      await this.conn.run(sql, params as DuckDBValue[] | Record<string, DuckDBValue> | undefined);
    } catch (e) {
      throw this.wrap(e, sql);
    }
  }

  async all<T extends Row = Row>(sql: string, params?: unknown[] | Record<string, unknown>): Promise<T[]> {
    try {
      const reader = await this.conn.runAndReadAll(sql, params as DuckDBValue[] | Record<string, DuckDBValue> | undefined);
      return reader.getRowObjectsJS().map((r) => convertRow(r as Record<string, unknown>)) as T[];
    } catch (e) {
      throw this.wrap(e, sql);
    }
  }

  async *stream<T extends Row = Row>(sql: string, params?: unknown[] | Record<string, unknown>): AsyncIterable<T[]> {
    let result;
    try {
      result = await this.conn.stream(sql, params as DuckDBValue[] | Record<string, DuckDBValue> | undefined);
    } catch (e) {
      throw this.wrap(e, sql);
    }
    for await (const chunk of result.yieldRowObjectJs()) yield chunk.map((r) => convertRow(r as Record<string, unknown>)) as T[];
  }

  /** Cancels the statement running on this engine's connection (it then fails with an "Interrupted" error). */
  interrupt(): void {
    this.conn.interrupt();
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Quotes a string as a SQL literal ('...' with '' escaping). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Quotes an identifier ("..." with "" escaping). */
export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
