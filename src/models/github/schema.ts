// The GitHub gold star schema, defined once: which tables exist, which are written per dt, and the columns each
// writes (models/github/gold_*.sql) in file order with a portable logical type. Everything else derives from here:
// the model SELECT list for Athena (gold-sql.ts), the DuckDB views (views.ts), the Glue catalog
// (infra/lib/catalog-tables.ts) and the PostgreSQL/Redshift tables (src/warehouse/gold-tables.ts).
// test/infra/catalog-schema.test.ts runs the real models and fails when this drifts from what they write.
import type { GoldSchema } from '../gold-schema.ts';

/** Built per dt from the cleaned events (one partition per dt; dt is their first column, a DATE). */
export const PER_DT_TABLES = ['fact_events', 'repo_daily', 'user_daily'] as const;
/** Rebuilt whole from every partition of one per-dt table (never from themselves). */
export const DIM_TABLES = ['dim_repo', 'dim_user', 'dim_date'] as const;
export type PerDtTable = (typeof PER_DT_TABLES)[number];
export type DimTable = (typeof DIM_TABLES)[number];
export type GoldTableName = PerDtTable | DimTable;

/** Output columns of each gold table in the order the model writes them. */
export const GITHUB_GOLD_SCHEMA: GoldSchema<GoldTableName> = Object.freeze({
  dim_date: [['date_key', 'int32'], ['date', 'date'], ['year', 'int32'], ['quarter', 'int32'], ['month', 'int32'], ['day', 'int32'], ['day_of_week', 'int32'], ['is_weekend', 'boolean']],
  dim_repo: [['repo_id', 'int64'], ['repo_name', 'string'], ['owner_login', 'string'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp']],
  dim_user: [['user_id', 'int64'], ['login', 'string'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp'], ['is_bot', 'boolean']],
  fact_events: [['dt', 'date'], ['repo_id', 'int64'], ['user_id', 'int64'], ['event_type', 'string'], ['event_count', 'int64']],
  repo_daily: [['dt', 'date'], ['repo_id', 'int64'], ['repo_name', 'string'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp'], ['event_count', 'int64'], ['stars', 'int64']],
  user_daily: [['dt', 'date'], ['user_id', 'int64'], ['login', 'string'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp'], ['event_count', 'int64']],
});

/** Every GitHub gold table, in schema order. */
export const GITHUB_GOLD_TABLES = Object.freeze(Object.keys(GITHUB_GOLD_SCHEMA) as GoldTableName[]);

export const isPerDt = (t: GoldTableName): t is PerDtTable => (PER_DT_TABLES as readonly string[]).includes(t);
