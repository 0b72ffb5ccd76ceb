// The GitHub gold build, defined once: what each table reads and its SELECT (models/github/gold_*.sql) rendered for an
// engine's dialect (the tables and their columns are in schema.ts). The embedded path (aggregated.ts) wraps the SELECTs in
// DuckDB COPY … TO Parquet; Athena (src/engines/athena/gold.ts, and the CDK pipeline at synth time) wraps the very same
// SELECTs in CTAS / INSERT INTO. No engine imports here, so the CDK app can render SQL without DuckDB.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_DIALECTS, renderModel, type ModelDialectName } from '../dialect.ts';
import { DIM_TABLES, GITHUB_GOLD_SCHEMA, PER_DT_TABLES, isPerDt, type DimTable, type GoldTableName, type PerDtTable } from './schema.ts';

// The tables and their columns are defined in schema.ts; re-exported here for the engines that render the build.
export { DIM_TABLES, PER_DT_TABLES, isPerDt, type DimTable, type GoldTableName, type PerDtTable };

/** The per-dt table each dimension is rebuilt from (also its placeholder name in the SQL). */
export const DIM_SOURCE: Readonly<Record<DimTable, PerDtTable>> = Object.freeze({ dim_repo: 'repo_daily', dim_user: 'user_daily', dim_date: 'fact_events' });

/** Output columns (name, logical type) of each gold table in the order the model writes them (schema.ts). */
export const GOLD_COLUMNS = GITHUB_GOLD_SCHEMA;

const MODELS_DIR = join(import.meta.dirname, '..', '..', '..', 'models', 'github');
const cache = new Map<string, string>();
function modelText(name: string): string {
  let t = cache.get(name);
  if (t === undefined) {
    t = readFileSync(join(MODELS_DIR, `${name}.sql`), 'utf8');
    cache.set(name, t);
  }
  return t;
}

/** user_key.sql without its comment lines (it is spliced into expressions). */
function userKey(): string {
  return modelText('user_key')
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join(' ')
    .trim();
}

/**
 * The SELECT of one gold table in a dialect. `source` is a FROM item (with alias) the caller builds for its engine:
 * for a per-dt table, the cleaned events of the dts to build with a `dt` column (DuckDB: read_parquet of the dt's files
 * plus a DATE literal; Athena: the Glue silver table filtered on dt); for a dimension, every partition of its per-dt
 * source table.
 */
export function goldSelect(table: GoldTableName, dialect: ModelDialectName, source: string): string {
  const vars: Record<string, string> = isPerDt(table) ? { events: source, user_key: userKey() } : { [DIM_SOURCE[table]]: source };
  return renderModel(`models/github/gold_${table}.sql`, modelText(`gold_${table}`), MODEL_DIALECTS[dialect], vars)
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n')
    .trim();
}
