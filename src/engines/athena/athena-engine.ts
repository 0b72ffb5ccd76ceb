// Athena as an Engine: each call is StartQueryExecution -> GetQueryExecution polling -> GetQueryResults pages.
// Values arrive as strings; they are converted by the column types Athena reports. Positional params are sent as
// ExecutionParameters (Athena substitutes them as SQL literals, so they are rendered as literals here).
import type { Engine, Row } from '../../core/engine.ts';
import { EventlakeError } from '../../core/errors.ts';
import { AthenaApi, type AthenaApiOptions, type AthenaColumn, type QueryOutcome } from '../../cloud/aws/athena.ts';
import { lit } from './athena-sql.ts';

function convert(v: string | null, type: string): unknown {
  if (v === null) return null;
  const t = type.toLowerCase();
  if (t === 'boolean') return v === 'true';
  if (t === 'integer' || t === 'int' || t === 'tinyint' || t === 'smallint') return Number(v);
  if (t === 'bigint') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (t === 'double' || t === 'float' || t === 'real') return Number(v);
  if (t.startsWith('decimal')) {
    const n = Number(v);
    return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER && String(n) === v.replace(/\.?0+$/, '') ? n : v;
  }
  return v; // varchar, date (YYYY-MM-DD), timestamp, json, array/map/row as Athena prints them
}

function toRows<T extends Row>(columns: AthenaColumn[], rows: (string | null)[][]): T[] {
  return rows.map((r) => {
    const o: Row = {};
    columns.forEach((c, i) => (o[c.name] = convert(r[i] ?? null, c.type)));
    return o as T;
  });
}

function executionParameters(params?: unknown[] | Record<string, unknown>): string[] | undefined {
  if (params === undefined) return undefined;
  if (!Array.isArray(params)) {
    throw new EventlakeError('Athena supports positional (?) parameters only', { step: 'engine.athena', code: 'USAGE' });
  }
  return params.map((p) => {
    if (p === null || p === undefined) return 'NULL';
    if (typeof p === 'number' || typeof p === 'bigint') return String(p);
    if (typeof p === 'boolean') return p ? 'TRUE' : 'FALSE';
    if (p instanceof Date) return `TIMESTAMP ${lit(p.toISOString().replace('T', ' ').replace('Z', ''))}`;
    return lit(String(p));
  });
}

export class AthenaEngine implements Engine {
  readonly kind = 'athena';
  readonly api: AthenaApi;
  /** Outcomes of the queries run so far (ids, bytes scanned) for logs and cost reports. */
  readonly history: QueryOutcome[] = [];

  constructor(opts: AthenaApiOptions | AthenaApi) {
    this.api = opts instanceof AthenaApi ? opts : new AthenaApi(opts);
  }

  async execute(sql: string, params?: unknown[] | Record<string, unknown>): Promise<QueryOutcome> {
    const id = await this.api.start(sql, executionParameters(params));
    const out = await this.api.wait(id, sql);
    this.history.push(out);
    return out;
  }

  async run(sql: string, params?: unknown[] | Record<string, unknown>): Promise<void> {
    await this.execute(sql, params);
  }

  async all<T extends Row = Row>(sql: string, params?: unknown[] | Record<string, unknown>): Promise<T[]> {
    const out: T[] = [];
    for await (const chunk of this.stream<T>(sql, params)) out.push(...chunk);
    return out;
  }

  async *stream<T extends Row = Row>(sql: string, params?: unknown[] | Record<string, unknown>): AsyncIterable<T[]> {
    const { queryId } = await this.execute(sql, params);
    for await (const page of this.api.results(queryId)) {
      if (page.rows.length) yield toRows<T>(page.columns, page.rows);
    }
  }

  async close(): Promise<void> {
    this.api.destroy();
  }
}
