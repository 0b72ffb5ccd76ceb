// SQL dialect differences for the portable named queries (models/analytics/*.sql), kept in one place.
// The query text itself is written once in the common subset of DuckDB, PostgreSQL and Trino/Athena: CAST(... AS ...)
// instead of `::`, ROW_NUMBER() filters instead of LIMIT parameters, dates compared as CAST(:x AS DATE), results cast to
// BIGINT/VARCHAR so every engine returns the same types. What differs is only how parameters are bound.
import { EventlakeError } from '../core/errors.ts';

export type DialectName = 'duckdb' | 'postgres' | 'trino';

export interface Dialect {
  readonly name: DialectName;
  /** Placeholder for the i-th (1-based) bound value. */
  placeholder(i: number): string;
}

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = Object.freeze({
  duckdb: { name: 'duckdb', placeholder: (i: number) => `$${i}` },
  postgres: { name: 'postgres', placeholder: (i: number) => `$${i}` },
  // Athena (Trino) takes positional `?` execution parameters.
  trino: { name: 'trino', placeholder: () => '?' },
});

/** The dialect of an Engine by its `kind`. */
export function dialectFor(engineKind: string): Dialect {
  const k = engineKind.toLowerCase();
  if (k === 'duckdb') return DIALECTS.duckdb;
  if (k === 'postgres' || k === 'postgresql' || k === 'pg') return DIALECTS.postgres;
  if (k === 'athena' || k === 'trino' || k === 'presto') return DIALECTS.trino;
  throw new EventlakeError(`no SQL dialect for engine kind "${engineKind}" (known: duckdb, postgres, athena/trino)`, { step: 'query' });
}

export type ParamValue = string | number | boolean | null | (string | number)[];

/**
 * Replaces `:name` parameters (outside string literals, quoted identifiers and comments; `::` is left alone) with the
 * dialect's positional placeholders. An array value expands to one placeholder per element (for `IN (:list)`); an
 * empty array binds a single NULL, which matches nothing.
 */
export function bindNamedParams(sql: string, params: Record<string, ParamValue>, dialect: Dialect): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const two = sql.slice(i, i + 2);
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (two === '--') {
      const j = sql.indexOf('\n', i);
      const end = j < 0 ? n : j;
      out += sql.slice(i, end);
      i = end;
    } else if (two === '/*') {
      const j = sql.indexOf('*/', i + 2);
      const end = j < 0 ? n : j + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (two === '::') {
      out += two;
      i += 2;
    } else if (c === ':' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      const name = m[0];
      if (!(name in params)) throw new EventlakeError(`SQL parameter :${name} has no value`, { step: 'query', code: 'USAGE' });
      const v = params[name];
      const list = Array.isArray(v) ? (v.length ? v : [null]) : [v];
      out += list.map((x) => {
        values.push(x);
        return dialect.placeholder(values.length);
      }).join(', ');
      i += 1 + name.length;
    } else {
      out += c;
      i++;
    }
  }
  return { sql: out, values };
}
