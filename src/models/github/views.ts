// Registers the GitHub gold tables as views (dim_date, dim_repo, dim_user, fact_events, repo_daily, user_daily) over
// <aggregatedRoot>/<table>/[dt=…/]*.parquet, so the named analytic queries run on the embedded engine.
// A table with no files yet becomes an empty view with the right columns (a report on an empty lake returns no rows).
// The lead will fold this into a shared lake-views module; keep the signature small.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../core/engine.ts';
import { sqlIdent, sqlString } from '../../engines/duckdb/duckdb-engine.ts';

/** Column lists of the gold tables (used for empty views; the Parquet files carry the same names and types). */
export const GOLD_SCHEMAS: Record<string, [string, string][]> = {
  dim_date: [['date_key', 'INTEGER'], ['date', 'DATE'], ['year', 'INTEGER'], ['quarter', 'INTEGER'], ['month', 'INTEGER'], ['day', 'INTEGER'], ['day_of_week', 'INTEGER'], ['is_weekend', 'BOOLEAN']],
  dim_repo: [['repo_id', 'BIGINT'], ['repo_name', 'VARCHAR'], ['owner_login', 'VARCHAR'], ['first_seen', 'TIMESTAMP'], ['last_seen', 'TIMESTAMP']],
  dim_user: [['user_id', 'BIGINT'], ['login', 'VARCHAR'], ['first_seen', 'TIMESTAMP'], ['last_seen', 'TIMESTAMP'], ['is_bot', 'BOOLEAN']],
  fact_events: [['dt', 'DATE'], ['repo_id', 'BIGINT'], ['user_id', 'BIGINT'], ['event_type', 'VARCHAR'], ['event_count', 'BIGINT']],
  repo_daily: [['dt', 'DATE'], ['repo_id', 'BIGINT'], ['repo_name', 'VARCHAR'], ['first_seen', 'TIMESTAMP'], ['last_seen', 'TIMESTAMP'], ['event_count', 'BIGINT'], ['stars', 'BIGINT']],
  user_daily: [['dt', 'DATE'], ['user_id', 'BIGINT'], ['login', 'VARCHAR'], ['first_seen', 'TIMESTAMP'], ['last_seen', 'TIMESTAMP'], ['event_count', 'BIGINT']],
};

const PARTITIONED = new Set(['fact_events', 'repo_daily', 'user_daily']);

function hasParquet(dir: string, partitioned: boolean): boolean {
  if (!existsSync(dir)) return false;
  if (!partitioned) return readdirSync(dir).some((f) => f.endsWith('.parquet'));
  return readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory() && d.name.startsWith('dt=') && hasParquet(join(dir, d.name), false));
}

/** Creates (or replaces) one view per gold table; returns the tables that have data. */
export async function registerGithubGoldViews(engine: Engine, aggregatedRoot: string): Promise<string[]> {
  const withData: string[] = [];
  for (const [table, cols] of Object.entries(GOLD_SCHEMAS)) {
    const dir = join(aggregatedRoot, table);
    const partitioned = PARTITIONED.has(table);
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
