// The gold tables a BI warehouse receives, described once as data: the PostgreSQL and Redshift loaders
// derive their DDL, COPY column lists and upsert keys from these specs.
export type ColumnType = 'text' | 'bigint' | 'integer' | 'smallint' | 'boolean' | 'date' | 'timestamp' | 'double';

export interface GoldColumn {
  name: string;
  type: ColumnType;
  nullable?: boolean;
}

export interface GoldTable {
  domain: string;
  name: string;
  columns: GoldColumn[];
  primaryKey: string[];
  /** Partition column (dt) when the gold table is written per dt; such tables are replaced partition by partition. */
  partitionColumn?: string;
  /** Secondary indexes for the dashboard / named queries. */
  indexes?: string[][];
}

export const GOLD_TABLES: readonly GoldTable[] = Object.freeze([
  {
    domain: 'github',
    name: 'dim_date',
    columns: [
      { name: 'date_key', type: 'integer' },
      { name: 'date', type: 'date' },
      { name: 'year', type: 'smallint' },
      { name: 'quarter', type: 'smallint' },
      { name: 'month', type: 'smallint' },
      { name: 'day', type: 'smallint' },
      { name: 'day_of_week', type: 'smallint' },
      { name: 'is_weekend', type: 'boolean' },
    ],
    primaryKey: ['date_key'],
  },
  {
    domain: 'github',
    name: 'dim_repo',
    columns: [
      { name: 'repo_id', type: 'bigint' },
      { name: 'repo_name', type: 'text' },
      { name: 'owner_login', type: 'text', nullable: true },
      { name: 'first_seen', type: 'timestamp', nullable: true },
      { name: 'last_seen', type: 'timestamp', nullable: true },
    ],
    primaryKey: ['repo_id'],
    indexes: [['owner_login']],
  },
  {
    domain: 'github',
    name: 'dim_user',
    columns: [
      { name: 'user_id', type: 'bigint' },
      { name: 'login', type: 'text' },
      { name: 'first_seen', type: 'timestamp', nullable: true },
      { name: 'last_seen', type: 'timestamp', nullable: true },
      { name: 'is_bot', type: 'boolean', nullable: true },
    ],
    primaryKey: ['user_id'],
  },
  {
    domain: 'github',
    name: 'fact_events',
    columns: [
      { name: 'dt', type: 'date' },
      { name: 'repo_id', type: 'bigint' },
      { name: 'user_id', type: 'bigint' },
      { name: 'event_type', type: 'text' },
      { name: 'event_count', type: 'bigint' },
    ],
    primaryKey: ['dt', 'repo_id', 'user_id', 'event_type'],
    partitionColumn: 'dt',
    indexes: [['repo_id', 'dt'], ['user_id'], ['event_type', 'dt']],
  },
  {
    domain: 'amplitude',
    name: 'daily_events',
    columns: [
      { name: 'dt', type: 'date' },
      { name: 'event_date', type: 'date' },
      { name: 'event_type', type: 'text' },
      { name: 'platform', type: 'text' },
      { name: 'country', type: 'text' },
      { name: 'event_count', type: 'bigint' },
      { name: 'user_count', type: 'bigint' },
    ],
    primaryKey: ['dt', 'event_type', 'platform', 'country'],
    partitionColumn: 'dt',
    indexes: [['event_type', 'dt']],
  },
  {
    domain: 'amplitude',
    name: 'daily_active_users',
    columns: [
      { name: 'dt', type: 'date' },
      { name: 'event_date', type: 'date' },
      { name: 'active_users', type: 'bigint' },
      { name: 'active_devices', type: 'bigint' },
      { name: 'event_count', type: 'bigint' },
    ],
    primaryKey: ['dt'],
    partitionColumn: 'dt',
  },
]);

export function goldTable(domain: string, name: string): GoldTable | undefined {
  return GOLD_TABLES.find((t) => t.domain === domain && t.name === name);
}
