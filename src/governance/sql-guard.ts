// The SQL guard: accepts exactly one SELECT (CTEs, joins, subqueries, window functions allowed) over the governed
// tables and rewrites every table reference to the principal's filtered/masked view in schema "governed".
// Refused: other statements, several statements, schema-qualified names (main., information_schema., another
// principal's views), unknown tables, table functions (read_parquet, glob, …) and file paths used as tables, and
// functions that read settings or files. The engine is locked down as well (see views.ts); this is the first wall.
// Only the PostgreSQL grammar is loaded (the all-dialects bundle is ~3x slower to import).
import pkg from 'node-sql-parser/build/postgresql.js';
import { EventlakeError } from '../core/errors.ts';

const { Parser } = pkg as unknown as { Parser: new () => SqlParser };
interface SqlParser {
  astify(sql: string, opt: { database: string }): unknown;
  sqlify(ast: unknown, opt: { database: string }): string;
}

const DIALECT = { database: 'postgresql' };
export const GOVERNED_SCHEMA = 'governed';

/** Scalar functions that reveal configuration or touch files, refused on top of every table function. */
const DENIED_SCALARS = new Set(['current_setting', 'getenv', 'read_blob', 'read_text', 'query', 'query_table', 'glob', 'sniff_csv', 'load', 'install']);

export class PolicyViolation extends EventlakeError {
  constructor(message: string, code = 'POLICY') {
    super(message, { step: 'governance', code });
  }
}

type Node = Record<string, unknown>;

function fnName(n: Node): string | undefined {
  const name = n.name as unknown;
  if (typeof name === 'string') return name.toLowerCase();
  const parts = (name as { name?: { value?: string }[] } | undefined)?.name;
  if (Array.isArray(parts)) return parts.map((p) => p.value ?? '').join('.').toLowerCase();
  return undefined;
}

export interface GuardResult {
  sql: string;
  tables: string[];
}

/**
 * @param allowed governed table names visible to the principal
 * @param deniedFunctions table/pragma function names of the engine (from duckdb_functions())
 */
export function guardSelect(sql: string, allowed: ReadonlySet<string>, deniedFunctions: ReadonlySet<string> = new Set()): GuardResult {
  if (sql.length > 100_000) throw new PolicyViolation('query text is too long (100,000 characters max)');
  let ast: unknown;
  try {
    ast = new Parser().astify(sql, DIALECT);
  } catch (e) {
    throw new PolicyViolation(`query is not valid SQL for the governed API: ${(e as Error).message.split('\n')[0]}`, 'PARSE');
  }
  const stmts = Array.isArray(ast) ? ast : [ast];
  if (stmts.length !== 1) throw new PolicyViolation(`exactly one statement is allowed, got ${stmts.length}`);
  const root = stmts[0] as Node;
  if (root?.type !== 'select') throw new PolicyViolation(`only SELECT is allowed, got ${String(root?.type ?? 'unknown').toUpperCase()}`);

  const cteNames = new Set<string>();
  const collectCtes = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(collectCtes);
    const o = n as Node;
    if (Array.isArray(o.with)) {
      for (const w of o.with as Node[]) {
        const nm = (w.name as { value?: string } | undefined)?.value ?? (typeof w.name === 'string' ? w.name : undefined);
        if (nm) cteNames.add(nm.toLowerCase());
      }
    }
    for (const v of Object.values(o)) collectCtes(v);
  };
  collectCtes(root);
  for (const c of cteNames) if (allowed.has(c)) throw new PolicyViolation(`a CTE may not shadow the governed table ${c}`);

  const used = new Set<string>();
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const o = n as Node;
    if (o.type === 'select' && o.into && typeof o.into === 'object' && Object.keys(o.into as object).some((k) => (o.into as Node)[k] != null)) {
      throw new PolicyViolation('SELECT … INTO is not allowed');
    }
    if (Array.isArray(o.from)) {
      for (const f of o.from as Node[]) {
        if (typeof f.table === 'string') {
          const name = f.table.toLowerCase();
          if (f.db != null || f.schema != null) throw new PolicyViolation(`schema-qualified table ${String(f.db ?? f.schema)}.${f.table} is not allowed; use the governed table name`);
          if (cteNames.has(name)) continue;
          if (!allowed.has(name)) {
            throw new PolicyViolation(`table ${JSON.stringify(f.table)} is not available to this principal (available: ${[...allowed].sort().join(', ') || 'none'})`, 'TABLE');
          }
          used.add(name);
          f.table = name;
          f.db = GOVERNED_SCHEMA;
        } else if ((f.expr as Node | undefined)?.type === 'function') {
          throw new PolicyViolation(`table function ${fnName(f.expr as Node) ?? ''}() is not allowed`, 'FUNCTION');
        }
      }
    }
    if (o.type === 'function' || o.type === 'aggr_func') {
      const nm = fnName(o);
      if (nm && (deniedFunctions.has(nm) || DENIED_SCALARS.has(nm) || nm.includes('.'))) throw new PolicyViolation(`function ${nm}() is not allowed`, 'FUNCTION');
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(root);
  let out: string;
  try {
    out = new Parser().sqlify(root, DIALECT);
  } catch (e) {
    throw new PolicyViolation(`query cannot be rewritten: ${(e as Error).message}`, 'PARSE');
  }
  return { sql: out, tables: [...used].sort() };
}
