// Registers the GitHub gold tables as views (dim_date, dim_repo, dim_user, fact_events, repo_daily, user_daily) over
// <aggregatedRoot>/<table>/[dt=…/]*.parquet, so the named analytic queries run on the embedded engine.
// A table with no files yet becomes an empty view with the right columns (a report on an empty lake returns no rows).
// The lead will fold this into a shared lake-views module; keep the signature small.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../core/engine.ts';
import { sqlIdent, sqlString } from '../../engines/duckdb/duckdb-engine.ts';
import { spellColumns, type LogicalType } from '../gold-schema.ts';
import { GITHUB_GOLD_SCHEMA, GITHUB_GOLD_TABLES, isPerDt } from './schema.ts';

/** DuckDB's spelling of the logical column types (what the models' Parquet files hold). */
const DUCKDB_TYPES: Readonly<Record<LogicalType, string>> = Object.freeze({
  string: 'VARCHAR',
  int32: 'INTEGER',
  int64: 'BIGINT',
  float64: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
});

/** Column lists of the gold tables in DuckDB types (used for empty views), derived from schema.ts. */
export const GOLD_SCHEMAS: Readonly<Record<string, [string, string][]>> = Object.freeze(
  Object.fromEntries(GITHUB_GOLD_TABLES.map((t) => [t, spellColumns(GITHUB_GOLD_SCHEMA[t], DUCKDB_TYPES)])),
);

function hasParquet(dir: string, partitioned: boolean): boolean {
  if (!existsSync(dir)) return false;
  if (!partitioned) return readdirSync(dir).some((f) => f.endsWith('.parquet'));
  return readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory() && d.name.startsWith('dt=') && hasParquet(join(dir, d.name), false));
}

/** Creates (or replaces) one view per gold table; returns the tables that have data. */
export async function registerGithubGoldViews(engine: Engine, aggregatedRoot: string): Promise<string[]> {
  const withData: string[] = [];
  for (const table of GITHUB_GOLD_TABLES) {
    const cols = GOLD_SCHEMAS[table]!;
    const dir = join(aggregatedRoot, table);
    const partitioned = isPerDt(table);
    let body: string;
    if (hasParquet(dir, partitioned)) {
      const glob = partitioned ? join(dir, 'dt=*', '*.parquet') : join(dir, '*.parquet');
      // dt is stored inside the files too, so hive partition parsing is off (no duplicate/renamed column).
      body = `SELECT ${cols.map(([c]) => sqlIdent(c)).join(', ')} FROM read_parquet(${sqlString(glob)}, hive_partitioning = false)`;
      withData.push(table);
    } else {
      body = `SELECT ${cols.map(([c, t]) => `CAST(NULL AS ${t}) AS ${sqlIdent(c)}`).join(', ')} WHERE false`;
    }
    await engine.run(`CREATE OR REPLACE VIEW ${sqlIdent(table)} AS ${body}`);
  }
  return withData;
}
