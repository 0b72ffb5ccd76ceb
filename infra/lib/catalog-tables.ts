// The Glue tables the CDK app defines over the lake: one place that names columns, locations and partitions.
// Column names follow the gold star schema in design.md; silver columns follow the cleaned GitHub/Amplitude models.
// Keep in step with src/models/** when those change (the lead aligns names across issues).
import type { LakePrefixes } from '../../src/lake/layout.ts';

export type GlueType = 'string' | 'bigint' | 'int' | 'double' | 'boolean' | 'date' | 'timestamp';

export interface TableDef {
  name: string;
  description: string;
  /** Key prefix under the bucket, without trailing slash. */
  location: (p: LakePrefixes) => string;
  format: 'parquet' | 'json';
  columns: [string, GlueType][];
  /** Partition columns in key order; 'dt' is projected as a date, 'hour' as a 2-digit integer. */
  partitions: ('dt' | 'hour')[];
}

export const CATALOG_TABLES: readonly TableDef[] = [
  {
    name: 'raw_github_events',
    description: 'bronze: GitHub events exactly as received (gzipped NDJSON), for replays and audits',
    location: (p) => `${p.raw}/github`,
    format: 'json',
    columns: [
      ['id', 'string'],
      ['type', 'string'],
      ['actor', 'string'],
      ['repo', 'string'],
      ['org', 'string'],
      ['payload', 'string'],
      ['public', 'boolean'],
      ['created_at', 'string'],
    ],
    partitions: ['dt', 'hour'],
  },
  {
    name: 'github_events',
    description: 'silver: typed, deduplicated GitHub events',
    location: (p) => `${p.cleaned}/github/events`,
    format: 'parquet',
    columns: [
      ['id', 'string'],
      ['type', 'string'],
      ['actor_id', 'bigint'],
      ['actor_login', 'string'],
      ['repo_id', 'bigint'],
      ['repo_name', 'string'],
      ['org_id', 'bigint'],
      ['org_login', 'string'],
      ['created_at', 'timestamp'],
      ['public', 'boolean'],
      ['payload', 'string'],
      ['payload_era', 'string'],
    ],
    partitions: ['dt'],
  },
  {
    name: 'amplitude_events',
    description: 'silver: typed Amplitude events deduplicated on uuid',
    location: (p) => `${p.cleaned}/amplitude/events`,
    format: 'parquet',
    columns: [
      ['uuid', 'string'],
      ['event_type', 'string'],
      ['user_id', 'string'],
      ['device_id', 'string'],
      ['event_time', 'timestamp'],
      ['server_upload_time', 'timestamp'],
      ['session_id', 'bigint'],
      ['platform', 'string'],
      ['country', 'string'],
      ['event_properties', 'string'],
      ['user_properties', 'string'],
    ],
    partitions: ['dt'],
  },
  {
    name: 'dim_date',
    description: 'gold: calendar dimension',
    location: (p) => `${p.aggregated}/github/dim_date`,
    format: 'parquet',
    columns: [
      ['date_key', 'int'],
      ['date', 'date'],
      ['year', 'int'],
      ['quarter', 'int'],
      ['month', 'int'],
      ['day', 'int'],
      ['day_of_week', 'int'],
      ['is_weekend', 'boolean'],
    ],
    partitions: [],
  },
  {
    name: 'dim_repo',
    description: 'gold: repositories keyed on repo id',
    location: (p) => `${p.aggregated}/github/dim_repo`,
    format: 'parquet',
    columns: [
      ['repo_id', 'bigint'],
      ['repo_name', 'string'],
      ['owner_login', 'string'],
      ['first_seen', 'timestamp'],
      ['last_seen', 'timestamp'],
    ],
    partitions: [],
  },
  {
    name: 'dim_user',
    description: 'gold: users keyed on actor id',
    location: (p) => `${p.aggregated}/github/dim_user`,
    format: 'parquet',
    columns: [
      ['user_id', 'bigint'],
      ['login', 'string'],
      ['first_seen', 'timestamp'],
      ['last_seen', 'timestamp'],
      ['is_bot', 'boolean'],
    ],
    partitions: [],
  },
  {
    name: 'fact_events',
    description: 'gold: event counts per day, repo, user and type',
    location: (p) => `${p.aggregated}/github/fact_events`,
    format: 'parquet',
    columns: [
      ['repo_id', 'bigint'],
      ['user_id', 'bigint'],
      ['event_type', 'string'],
      ['event_count', 'bigint'],
    ],
    partitions: ['dt'],
  },
  {
    name: 'amplitude_fact_events',
    description: 'gold: Amplitude events per day, event type, platform and country',
    location: (p) => `${p.aggregated}/amplitude/fact_events`,
    format: 'parquet',
    columns: [
      ['event_type', 'string'],
      ['platform', 'string'],
      ['country', 'string'],
      ['event_count', 'bigint'],
      ['user_count', 'bigint'],
    ],
    partitions: ['dt'],
  },
  {
    name: 'amplitude_daily_active_users',
    description: 'gold: Amplitude daily active users',
    location: (p) => `${p.aggregated}/amplitude/daily_active_users`,
    format: 'parquet',
    columns: [['active_users', 'bigint']],
    partitions: ['dt'],
  },
];

export function tableDef(name: string): TableDef {
  const t = CATALOG_TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`unknown catalog table ${JSON.stringify(name)}; known: ${CATALOG_TABLES.map((x) => x.name).join(', ')}`);
  return t;
}
