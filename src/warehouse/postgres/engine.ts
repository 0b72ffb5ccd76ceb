// The Engine contract over a PostgreSQL session, so the portable named queries (src/models/analytics.ts) run on the
// BI warehouse exactly as on DuckDB. Tables are found through search_path = the warehouse schema.
import type { Engine, Row } from '../../core/engine.ts';
import { connectPostgres, type PgSession, type PgSettings } from './client.ts';
import { ident } from './sql.ts';

export class PostgresEngine implements Engine {
  readonly kind = 'postgres';
  private constructor(private readonly s: PgSession) {}

  static async open(settings: PgSettings, schema: string): Promise<PostgresEngine> {
    const s = await connectPostgres(settings);
    await s.query(`SET search_path TO ${ident(schema)}`);
    return new PostgresEngine(s);
  }

  async run(sql: string, params?: unknown[] | Record<string, unknown>): Promise<void> {
    await this.s.query(sql, positional(params));
  }

  all<T extends Row = Row>(sql: string, params?: unknown[] | Record<string, unknown>): Promise<T[]> {
    return this.s.query<T>(sql, positional(params));
  }

  async *stream<T extends Row = Row>(sql: string, params?: unknown[] | Record<string, unknown>): AsyncIterable<T[]> {
    // BI result sets are small (named queries rank and limit); one chunk keeps this adapter simple.
    yield await this.all<T>(sql, params);
  }

  close(): Promise<void> {
    return this.s.close();
  }
}

function positional(params?: unknown[] | Record<string, unknown>): unknown[] | undefined {
  if (params === undefined || Array.isArray(params)) return params;
  throw new Error('the PostgreSQL engine takes positional parameters ($1, $2, …)');
}
