// Named analytic queries over the gold star schema (views dim_date, dim_repo, dim_user, fact_events).
// Each query is one portable SQL file in models/analytics/<name>.sql whose header declares it:
//   -- @description <text>
//   -- @param <name> <date|int|text[]> <default or -> <description>
// Parameters are written `:name` and bound per dialect (src/models/dialect.ts), never spliced into the text.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine, Row } from '../core/engine.ts';
import { EventlakeError } from '../core/errors.ts';
import { bindNamedParams, dialectFor, type Dialect, type ParamValue } from './dialect.ts';

export type ParamType = 'date' | 'int' | 'text[]';

export interface NamedQueryParam {
  name: string;
  type: ParamType;
  /** Default value (undefined: optional with no value, e.g. "all repositories"). */
  default?: string;
  description: string;
}

export interface NamedQuery {
  name: string;
  description: string;
  params: NamedQueryParam[];
  sql: string;
}

export type NamedQueryParams = Record<string, string | number | string[] | undefined>;

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models', 'analytics');
let cache: Map<string, NamedQuery> | undefined;

function parse(name: string, sql: string): NamedQuery {
  let description = '';
  const params: NamedQueryParam[] = [];
  for (const line of sql.split('\n')) {
    const d = /^--\s*@description\s+(.*)$/.exec(line);
    if (d) description = d[1]!.trim();
    const p = /^--\s*@param\s+(\w+)\s+(date|int|text\[\])\s+(\S+)\s*(.*)$/.exec(line);
    if (p) params.push({ name: p[1]!, type: p[2] as ParamType, default: p[3] === '-' ? undefined : p[3], description: p[4]!.trim() });
  }
  return { name, description, params, sql };
}

function load(): Map<string, NamedQuery> {
  if (cache) return cache;
  const m = new Map<string, NamedQuery>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const name = f.slice(0, -4);
    m.set(name, parse(name, readFileSync(join(dir, f), 'utf8')));
  }
  cache = m;
  return m;
}

/** The named queries, sorted by name. */
export function listNamedQueries(): NamedQuery[] {
  return [...load().values()];
}

export function getNamedQuery(name: string): NamedQuery {
  const q = load().get(name);
  if (!q) {
    throw new EventlakeError(`unknown query "${name}" (known: ${[...load().keys()].join(', ')})`, {
      step: 'report',
      code: 'USAGE',
      next: 'eventlake report --list',
    });
  }
  return q;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Validates and completes parameters (defaults, types); derives `all_repos` from an absent/empty `repos`. */
export function resolveParams(q: NamedQuery, given: NamedQueryParams): Record<string, ParamValue> {
  const known = new Set(q.params.map((p) => p.name));
  for (const k of Object.keys(given)) {
    if (given[k] !== undefined && !known.has(k)) {
      throw new EventlakeError(`query ${q.name} takes no parameter "${k}" (takes: ${[...known].join(', ')})`, { step: 'report', code: 'USAGE' });
    }
  }
  const out: Record<string, ParamValue> = {};
  for (const p of q.params) {
    const v = given[p.name] ?? p.default;
    const bad = (why: string) => new EventlakeError(`query ${q.name}: parameter ${p.name} ${why}`, { step: 'report', code: 'USAGE' });
    if (p.type === 'date') {
      if (typeof v !== 'string' || !DATE_RE.test(v)) throw bad(`must be a date YYYY-MM-DD (got ${JSON.stringify(v)})`);
      out[p.name] = v;
    } else if (p.type === 'int') {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isInteger(n) || n < 0) throw bad(`must be a non-negative integer (got ${JSON.stringify(v)})`);
      out[p.name] = n;
    } else {
      const list = v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
      out[p.name] = list.map(String);
      if (p.name === 'repos') out.all_repos = list.length ? 0 : 1;
    }
  }
  return out;
}

/** The SQL text and bound values of a named query for a dialect (what runNamedQuery executes). */
export function compileNamedQuery(name: string, params: NamedQueryParams, dialect: Dialect): { sql: string; values: unknown[] } {
  const q = getNamedQuery(name);
  return bindNamedParams(q.sql, resolveParams(q, params), dialect);
}

/** Runs a named query on an engine whose session has the gold views (dim_date, dim_repo, dim_user, fact_events). */
export async function runNamedQuery(engine: Engine, name: string, params: NamedQueryParams = {}): Promise<Row[]> {
  const { sql, values } = compileNamedQuery(name, params, dialectFor(engine.kind));
  return engine.all(sql, values);
}
