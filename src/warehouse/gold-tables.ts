// The gold tables a BI warehouse receives: the columns come from each model's own schema
// (src/models/github/schema.ts, src/models/amplitude/schema.ts); this file adds what only a warehouse needs (keys,
// NOT NULL, the dt partition, indexes, narrower integer types). The PostgreSQL and Redshift loaders derive their DDL,
// COPY column lists and upsert keys from these specs.
import { catalogTableName, type GoldColumn as ModelColumn, type LogicalType } from '../models/gold-schema.ts';
import { GITHUB_GOLD_SCHEMA } from '../models/github/schema.ts';
import { AMPLITUDE_GOLD_SCHEMA } from '../models/amplitude/schema.ts';

export type ColumnType = 'text' | 'bigint' | 'integer' | 'smallint' | 'boolean' | 'date' | 'timestamp' | 'double';

export interface GoldColumn {
  name: string;
  type: ColumnType;
  nullable?: boolean;
}

export interface GoldTable {
  domain: string;
  name: string;
  /** The table's name in the Glue catalog the infra app defines (what Redshift Spectrum reads). */
  catalogName: string;
  columns: GoldColumn[];
  primaryKey: string[];
  /** Partition column (dt) when the gold table is written per dt; such tables are replaced partition by partition. */
  partitionColumn?: string;
  /** Secondary indexes for the dashboard / named queries. */
  indexes?: string[][];
}

/** Warehouse spelling of the models' logical types (each warehouse's sql.ts maps these to its own DDL names). */
const WAREHOUSE_TYPES: Readonly<Record<LogicalType, ColumnType>> = Object.freeze({
  string: 'text',
  int32: 'integer',
  int64: 'bigint',
  float64: 'double',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
});

/** What only the warehouse adds to a model's gold table. */
interface WarehouseSpec {
  primaryKey: string[];
  partitionColumn?: string;
  indexes?: string[][];
  /** Columns that may be NULL (all others are NOT NULL). */
  nullable?: string[];
  /** Columns stored narrower than the lake's type (their values are known to fit). */
  narrow?: Record<string, ColumnType>;
}

/**
 * A warehouse table over a model's gold columns. The partition column goes first and is a DATE in the warehouse
 * (Amplitude writes dt last, as text, for Athena; the loaders cast it). Names in the spec must be columns of the table.
 */
function warehouseTable(domain: string, name: string, columns: readonly ModelColumn[], spec: WarehouseSpec): GoldTable {
  const names = new Set(columns.map(([n]) => n));
  const named = [
    ...spec.primaryKey,
    ...(spec.partitionColumn ? [spec.partitionColumn] : []),
    ...(spec.indexes ?? []).flat(),
    ...(spec.nullable ?? []),
    ...Object.keys(spec.narrow ?? {}),
  ];
  const unknown = named.filter((n) => !names.has(n));
  if (unknown.length > 0) throw new Error(`warehouse table ${domain}.${name}: ${unknown.join(', ')} not among the model's columns (${[...names].join(', ')})`);
  const pc = spec.partitionColumn;
  const ordered = pc ? [columns.find(([n]) => n === pc)!, ...columns.filter(([n]) => n !== pc)] : columns;
  const table: GoldTable = {
    domain,
    name,
    catalogName: catalogTableName(domain, name),
    columns: ordered.map(([n, type]) => ({
      name: n,
      type: n === pc ? 'date' : (spec.narrow?.[n] ?? WAREHOUSE_TYPES[type]),
      ...(spec.nullable?.includes(n) ? { nullable: true } : {}),
    })),
    primaryKey: spec.primaryKey,
  };
  if (pc) table.partitionColumn = pc;
  if (spec.indexes) table.indexes = spec.indexes;
  return table;
}

const gh = GITHUB_GOLD_SCHEMA;
const amp = AMPLITUDE_GOLD_SCHEMA;

export const GOLD_TABLES: readonly GoldTable[] = Object.freeze([
  warehouseTable('github', 'dim_date', gh.dim_date, {
    primaryKey: ['date_key'],
    narrow: { year: 'smallint', quarter: 'smallint', month: 'smallint', day: 'smallint', day_of_week: 'smallint' },
  }),
  warehouseTable('github', 'dim_repo', gh.dim_repo, {
    primaryKey: ['repo_id'],
    indexes: [['owner_login']],
    nullable: ['owner_login', 'first_seen', 'last_seen'],
  }),
  warehouseTable('github', 'dim_user', gh.dim_user, {
    primaryKey: ['user_id'],
    nullable: ['first_seen', 'last_seen', 'is_bot'],
  }),
  warehouseTable('github', 'fact_events', gh.fact_events, {
    primaryKey: ['dt', 'repo_id', 'user_id', 'event_type'],
    partitionColumn: 'dt',
    indexes: [['repo_id', 'dt'], ['user_id'], ['event_type', 'dt']],
  }),
  warehouseTable('amplitude', 'daily_events', amp.daily_events, {
    primaryKey: ['dt', 'event_type', 'platform', 'country'],
    partitionColumn: 'dt',
    indexes: [['event_type', 'dt']],
  }),
  warehouseTable('amplitude', 'daily_active_users', amp.daily_active_users, {
    primaryKey: ['dt'],
    partitionColumn: 'dt',
  }),
]);

export function goldTable(domain: string, name: string): GoldTable | undefined {
  return GOLD_TABLES.find((t) => t.domain === domain && t.name === name);
}
