// The GitHub gold build, defined once: which tables exist, what each reads, the columns each writes, and its SELECT
// (models/github/gold_*.sql) rendered for an engine's dialect. The embedded path (aggregated.ts) wraps the SELECTs in
// DuckDB COPY … TO Parquet; Athena (src/engines/athena/gold.ts, and the CDK pipeline at synth time) wraps the very same
// SELECTs in CTAS / INSERT INTO. No engine imports here, so the CDK app can render SQL without DuckDB.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_DIALECTS, renderModel, type ModelDialectName } from '../dialect.ts';

/** Built per dt from the cleaned events (one partition per dt). */
export const PER_DT_TABLES = ['fact_events', 'repo_daily', 'user_daily'] as const;
/** Rebuilt whole from every partition of one per-dt table (never from themselves). */
export const DIM_TABLES = ['dim_repo', 'dim_user', 'dim_date'] as const;
export type PerDtTable = (typeof PER_DT_TABLES)[number];
export type DimTable = (typeof DIM_TABLES)[number];
export type GoldTableName = PerDtTable | DimTable;

/** The per-dt table each dimension is rebuilt from (also its placeholder name in the SQL). */
export const DIM_SOURCE: Readonly<Record<DimTable, PerDtTable>> = Object.freeze({ dim_repo: 'repo_daily', dim_user: 'user_daily', dim_date: 'fact_events' });

/** Column types in Hive/Glue spelling. dt is DATE on DuckDB and a string partition key on S3/Glue. */
export type GoldColumnType = 'bigint' | 'int' | 'string' | 'timestamp' | 'date' | 'boolean';

/** Output columns of each gold table in the order the model writes them (dt first for per-dt tables). */
export const GOLD_COLUMNS: Readonly<Record<GoldTableName, readonly (readonly [string, GoldColumnType])[]>> = Object.freeze({
  fact_events: [['dt', 'date'], ['repo_id', 'bigint'], ['user_id', 'bigint'], ['event_type', 'string'], ['event_count', 'bigint']],
  repo_daily: [['dt', 'date'], ['repo_id', 'bigint'], ['repo_name', 'string'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp'], ['event_count', 'bigint'], ['stars', 'bigint']],
  user_daily: [['dt', 'date'], ['user_id', 'bigint'], ['login', 'string'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp'], ['event_count', 'bigint']],
  dim_repo: [['repo_id', 'bigint'], ['repo_name', 'string'], ['owner_login', 'string'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp']],
  dim_user: [['user_id', 'bigint'], ['login', 'string'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp'], ['is_bot', 'boolean']],
  dim_date: [['date_key', 'int'], ['date', 'date'], ['year', 'int'], ['quarter', 'int'], ['month', 'int'], ['day', 'int'], ['day_of_week', 'int'], ['is_weekend', 'boolean']],
});

export const isPerDt = (t: GoldTableName): t is PerDtTable => (PER_DT_TABLES as readonly string[]).includes(t);

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
