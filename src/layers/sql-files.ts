// SQL lives in models/<source>/*.sql; these helpers read a file once and fill its {{placeholders}}.
// Placeholders carry engine-specific fragments (file lists, read functions) so the model SQL itself stays portable.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqlString } from '../engines/duckdb/duckdb-engine.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = new Map<string, string>();

/** Reads models/<rel> (e.g. "amplitude/cleaned_events.sql"). */
export function modelSql(rel: string): string {
  let s = cache.get(rel);
  if (s === undefined) {
    s = readFileSync(join(repoRoot, 'models', rel), 'utf8');
    cache.set(rel, s);
  }
  return s;
}

/** Replaces every {{name}}; a placeholder without a value is an error (typos fail loudly). */
export function render(sql: string, vars: Record<string, string>): string {
  return sql.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    const v = vars[k];
    if (v === undefined) throw new Error(`SQL placeholder {{${k}}} has no value`);
    return v;
  });
}

/** A SQL list literal of strings: ['a', 'b']. */
export function sqlList(items: readonly string[]): string {
  return `[${items.map(sqlString).join(', ')}]::VARCHAR[]`;
}

export function stripTrailingSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}
