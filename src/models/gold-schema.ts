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
 * Glue catalog name of a gold table: GitHub's star schema keeps its own names (fact_events, dim_repo…), Amplitude's
 * are prefixed (amplitude_daily_events) so the two domains can share one Glue database. infra/lib/catalog-tables.ts
 * and the Redshift loader (Spectrum) both use it.
 */
export function catalogTableName(domain: string, name: string): string {
  return domain === 'github' ? name : `${domain}_${name}`;
}
