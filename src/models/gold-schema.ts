// The portable column schema every model declares for its gold tables (src/models/<source>/schema.ts): per table, the
// ordered (name, logical type) pairs its SELECT writes. Each target spells the logical types through a small map in its
// own file (DuckDB views: models/github/views.ts; Glue catalog: infra/lib/catalog-tables.ts; PostgreSQL/Redshift:
// src/warehouse/gold-tables.ts then postgres|redshift/sql.ts), so a column is added or retyped in one place.

/** What the lake's Parquet holds for a column, independent of any engine's type names. */
export type LogicalType = 'string' | 'int32' | 'int64' | 'float64' | 'boolean' | 'date' | 'timestamp';

/** One gold column: name and logical type, in the order the model writes it. */
export type GoldColumn = readonly [name: string, type: LogicalType];

/** A model's gold tables → their ordered columns. */
export type GoldSchema<T extends string> = Readonly<Record<T, readonly GoldColumn[]>>;

/** A table's columns with each logical type spelled by a target's type map (e.g. DuckDB, Glue). */
export function spellColumns<S>(columns: readonly GoldColumn[], types: Readonly<Record<LogicalType, S>>): [string, S][] {
  return columns.map(([name, type]) => [name, types[type]]);
}

/**
 * Glue catalog name of a lake table: `<source|domain>_<table>` for cleaned and gold alike (github_events,
 * github_fact_events, amplitude_daily_events), as the local `eventlake query` views are named. One rule for every
 * writer of the catalog: the CDK Catalog stack (infra/lib/catalog-tables.ts), `eventlake athena setup` and
 * `athena aggregate` (src/engines/athena/), the CDK pipeline's INSERTs and the Redshift loader (Spectrum). The bare
 * gold names the portable named queries use (fact_events, dim_repo, …) are left free for the views `athena setup`
 * adds over these tables (dt cast to DATE); test/infra/catalog-names.test.ts fails when the writers diverge.
 */
export function catalogTableName(domain: string, name: string): string {
  return `${domain}_${name}`.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
}
