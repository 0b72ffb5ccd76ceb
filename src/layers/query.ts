// `eventlake query "<sql>"`: SQL over the lake through the registered views, optionally as a governed principal
// (row/column rules applied by src/governance, loaded only when --as is used so the rest works without it).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from '../cli/context.ts';
import type { Row } from '../core/engine.ts';
import { EventlakeError } from '../core/errors.ts';
import { registerLakeViews } from '../serve/lake-views.ts';
import { withLayerEngine } from './engine.ts';

export interface QueryResult {
  columns: string[];
  rows: Row[];
}

const governancePath = join(dirname(fileURLToPath(import.meta.url)), '..', 'governance', 'index.ts');

export async function queryLake(ctx: Context, sql: string, opts: { as?: string } = {}): Promise<QueryResult> {
  if (opts.as !== undefined) {
    if (!existsSync(governancePath)) {
      throw new EventlakeError('query --as needs the governance module (src/governance/index.ts), which is not part of this build', {
        step: 'query',
        code: 'USAGE',
        next: 'run the query without --as, or install a build that includes governance',
      });
    }
    const mod = (await import(pathToFileURL(governancePath).href)) as {
      governedQuery?: (ctx: Context, principal: string, sql: string) => Promise<Row[] | QueryResult | { rows: Row[]; columns?: string[] }>;
    };
    if (typeof mod.governedQuery !== 'function') {
      throw new EventlakeError('src/governance/index.ts does not export governedQuery(ctx, principal, sql)', { step: 'query', code: 'USAGE' });
    }
    const r = await mod.governedQuery(ctx, opts.as, sql);
    const rows = Array.isArray(r) ? r : r.rows;
    const columns = (!Array.isArray(r) && r.columns) || (rows[0] ? Object.keys(rows[0]) : []);
    return { columns, rows };
  }
  return withLayerEngine(ctx, async (engine) => {
    await registerLakeViews(engine, ctx);
    let rows: Row[];
    try {
      rows = await engine.all(sql);
    } catch (e) {
      throw new EventlakeError(`query failed: ${(e as Error).message}`, {
        step: 'query',
        code: 'USAGE',
        cause: e,
        next: `eventlake query "SHOW ALL TABLES" lists the registered views`,
      });
    }
    return { columns: rows[0] ? Object.keys(rows[0]) : [], rows };
  });
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

function jsonValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  return v;
}

export type OutputFormat = 'table' | 'json' | 'csv';

export function formatResult(r: QueryResult, format: OutputFormat): string {
  if (format === 'json') {
    return JSON.stringify(r.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonValue(v)]))), (_k, x) => (typeof x === 'bigint' ? x.toString() : x), 2) + '\n';
  }
  if (format === 'csv') {
    const esc = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return [r.columns.map(esc).join(','), ...r.rows.map((row) => r.columns.map((c) => esc(cell(row[c]))).join(','))].join('\n') + '\n';
  }
  const data = r.rows.map((row) => r.columns.map((c) => cell(row[c])));
  const widths = r.columns.map((c, i) => Math.min(60, Math.max(c.length, ...data.map((d) => d[i]!.length))));
  const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  const line = (cells: string[]) => cells.map((c, i) => fit(c, widths[i]!)).join(' | ');
  if (r.columns.length === 0) return '(no rows)\n';
  return [line(r.columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...data.map(line), `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`].join('\n') + '\n';
}
