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

// ---------------------------------------------------------------------------------------------------------------
// Build models (models/github/gold_*.sql) are written once too; the few functions DuckDB and Trino spell differently
// are {{macros}} in the SQL, filled here. How a model's SELECT is written out (DuckDB COPY … TO Parquet, Athena
// CTAS / INSERT INTO) is the engine's business: src/models/github/gold-sql.ts and src/engines/athena/athena-sql.ts.

export type ModelDialectName = 'duckdb' | 'trino';

export interface ModelDialect {
  readonly name: ModelDialectName;
  /** Function names that differ: {{regexp_like}}(s, re) and {{isodow}}(date) (ISO day of week, Monday = 1). */
  readonly functions: Readonly<Record<'regexp_like' | 'isodow', string>>;
  /** {{md5_52:x}}: the first 13 hex digits (52 bits) of md5 of the string x, as a BIGINT. */
  md5_52(x: string): string;
  /** {{day_series:lo,hi}}: a FROM item with one row per day from lo to hi (dates, inclusive) as g(d). */
  daySeries(lo: string, hi: string): string;
}

export const MODEL_DIALECTS: Readonly<Record<ModelDialectName, ModelDialect>> = Object.freeze({
  duckdb: {
    name: 'duckdb',
    functions: { regexp_like: 'regexp_matches', isodow: 'isodow' },
    md5_52: (x: string) => `CAST(('0x' || substr(md5(${x}), 1, 13)) AS BIGINT)`,
    daySeries: (lo: string, hi: string) => `generate_series(CAST(${lo} AS TIMESTAMP), CAST(${hi} AS TIMESTAMP), INTERVAL '1' DAY) AS g(d)`,
  },
  trino: {
    name: 'trino',
    functions: { regexp_like: 'regexp_like', isodow: 'day_of_week' },
    // md5 takes varbinary in Trino; to_hex is upper-case, which from_base reads the same.
    md5_52: (x: string) => `from_base(substr(to_hex(md5(to_utf8(${x}))), 1, 13), 16)`,
    daySeries: (lo: string, hi: string) => `UNNEST(sequence(${lo}, ${hi}, INTERVAL '1' DAY)) AS g(d)`,
  },
});

/**
 * Fills a model's {{name}} placeholders from vars, {{regexp_like}}/{{isodow}} with the dialect's function names and
 * {{md5_52:x}} / {{day_series:lo,hi}} with its expressions. An unknown placeholder is an error naming the model.
 */
export function renderModel(model: string, text: string, dialect: ModelDialect, vars: Record<string, string>): string {
  const fill = (s: string): string =>
    s.replace(/\{\{(\w+)(?::([^}]*))?\}\}/g, (_m, name: string, arg: string | undefined) => {
      if (arg !== undefined) {
        if (name === 'md5_52') return dialect.md5_52(fill(arg));
        if (name === 'day_series') {
          const [lo, hi, ...extra] = arg.split(',').map((x) => x.trim());
          if (!lo || !hi || extra.length) throw new EventlakeError(`${model}: {{day_series:lo,hi}} takes two arguments`, { step: 'model' });
          return dialect.daySeries(lo, hi);
        }
      } else if (name in vars) return fill(vars[name]!);
      else if (name in dialect.functions) return dialect.functions[name as keyof ModelDialect['functions']];
      throw new EventlakeError(`${model}: no value for {{${name}${arg !== undefined ? ':…' : ''}}} (dialect ${dialect.name})`, { step: 'model' });
    });
  return fill(text);
}
