// The Glue tables the CDK app defines over the lake: one place that names columns, locations and partitions.
// Columns are those the real models write (cleaned: models/github/events.sql, models/amplitude/cleaned_events.sql;
// gold: the models' schemas, src/models/github/schema.ts and src/models/amplitude/schema.ts, spelled in Glue types
// below), in file order, dt excluded (it is the partition key). test/infra/catalog-schema.test.ts runs the models on
// fixtures and fails when this list drifts.
import type { LakePrefixes } from '../../src/lake/layout.ts';
import { catalogTableName, spellColumns, type GoldColumn, type LogicalType } from '../../src/models/gold-schema.ts';
import { DIM_TABLES, GITHUB_GOLD_SCHEMA, PER_DT_TABLES, isPerDt, type GoldTableName } from '../../src/models/github/schema.ts';
import { AMPLITUDE_GOLD_SCHEMA } from '../../src/models/amplitude/schema.ts';

export type GlueType = 'string' | 'bigint' | 'int' | 'double' | 'boolean' | 'date' | 'timestamp';

/** Glue/Hive spelling of the gold schemas' logical types. */
const GLUE_TYPES: Readonly<Record<LogicalType, GlueType>> = Object.freeze({
  string: 'string',
  int32: 'int',
  int64: 'bigint',
  float64: 'double',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
});

/** A gold table's Glue columns: the schema's, dt excluded (the partition key, projected). */
const glueColumns = (cols: readonly GoldColumn[]): [string, GlueType][] => spellColumns(cols.filter(([n]) => n !== 'dt'), GLUE_TYPES);

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

/** The GitHub gold tables, columns straight from the model's schema (the SQL Athena runs is rendered from it too). */
const githubGold = (t: GoldTableName, description: string): TableDef => ({
  name: catalogTableName('github', t),
  description,
  location: (p) => `${p.aggregated}/github/${t}`,
  format: 'parquet',
  columns: glueColumns(GITHUB_GOLD_SCHEMA[t]),
  partitions: isPerDt(t) ? ['dt'] : [],
});

const GITHUB_GOLD_TABLES: readonly GoldTableName[] = [...PER_DT_TABLES, ...DIM_TABLES];

const GITHUB_GOLD_DESCRIPTIONS: Record<GoldTableName, string> = {
  "fact_events": "gold: event counts per day, repo, user and type",
  "repo_daily": "gold: per-day repository summary (name seen last, first/last event, events, stars); dim_repo is built from it",
  "user_daily": "gold: per-day user summary (login seen last, first/last event, events); dim_user is built from it",
  "dim_repo": "gold: repositories keyed on repo id",
  "dim_user": "gold: users keyed on actor id (negative surrogate from the login for pre-2015 events)",
  "dim_date": "gold: calendar dimension"
};

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
    description: 'silver: typed GitHub events deduplicated on id (payload kept as JSON text, payload era flag, lineage)',
    location: (p) => `${p.cleaned}/github/events`,
    format: 'parquet',
    columns: [
      ['id', 'string'],
      ['id_synthetic', 'boolean'],
      ['source_format', 'string'],
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
      ['action', 'string'],
      ['ref', 'string'],
      ['ref_type', 'string'],
      ['number', 'bigint'],
      ['push_size', 'bigint'],
      ['push_distinct_size', 'bigint'],
      ['release_tag', 'string'],
      ['review_state', 'string'],
      ['is_star', 'boolean'],
      ['repo_stargazers', 'bigint'],
      ['source_file', 'string'],
      ['source_line', 'bigint'],
    ],
    partitions: ['dt'],
  },
  {
    name: 'amplitude_events',
    description: 'silver: typed Amplitude events deduplicated on uuid (property bags as JSON text, _file lineage)',
    location: (p) => `${p.cleaned}/amplitude/events`,
    format: 'parquet',
    columns: [
      ['uuid', 'string'],
      ['insert_id', 'string'],
      ['event_type', 'string'],
      ['event_time', 'timestamp'],
      ['server_upload_time', 'timestamp'],
      ['client_event_time', 'timestamp'],
      ['client_upload_time', 'timestamp'],
      ['server_received_time', 'timestamp'],
      ['processed_time', 'timestamp'],
      ['user_creation_time', 'timestamp'],
      ['app', 'bigint'],
      ['amplitude_id', 'bigint'],
      ['event_id', 'bigint'],
      ['session_id', 'bigint'],
      ['user_id', 'string'],
      ['device_id', 'string'],
      ['platform', 'string'],
      ['os_name', 'string'],
      ['os_version', 'string'],
      ['device_brand', 'string'],
      ['device_manufacturer', 'string'],
      ['device_model', 'string'],
      ['device_family', 'string'],
      ['device_type', 'string'],
      ['device_carrier', 'string'],
      ['country', 'string'],
      ['region', 'string'],
      ['city', 'string'],
      ['dma', 'string'],
      ['language', 'string'],
      ['ip_address', 'string'],
      ['location_lat', 'double'],
      ['location_lng', 'double'],
      ['library', 'string'],
      ['version_name', 'string'],
      ['start_version', 'string'],
      ['paying', 'string'],
      ['adid', 'string'],
      ['idfa', 'string'],
      ['amplitude_event_type', 'string'],
      ['is_attribution_event', 'boolean'],
      ['sample_rate', 'double'],
      ['partner_id', 'string'],
      ['source_id', 'string'],
      ['event_properties', 'string'],
      ['user_properties', 'string'],
      ['group_properties', 'string'],
      ['groups', 'string'],
      ['global_user_properties', 'string'],
      ['data', 'string'],
      ['plan', 'string'],
      ['amplitude_attribution_ids', 'string'],
      ['_file', 'string'],
    ],
    partitions: ['dt'],
  },
  ...GITHUB_GOLD_TABLES.map((t) => githubGold(t, GITHUB_GOLD_DESCRIPTIONS[t])),
  {
    name: catalogTableName('amplitude', 'daily_events'),
    description: 'gold: Amplitude events per event day, event type, platform and country (dt = event day)',
    location: (p) => `${p.aggregated}/amplitude/daily_events`,
    format: 'parquet',
    columns: glueColumns(AMPLITUDE_GOLD_SCHEMA.daily_events),
    partitions: ['dt'],
  },
  {
    name: catalogTableName('amplitude', 'daily_active_users'),
    description: 'gold: Amplitude daily active users and devices (dt = event day)',
    location: (p) => `${p.aggregated}/amplitude/daily_active_users`,
    format: 'parquet',
    columns: glueColumns(AMPLITUDE_GOLD_SCHEMA.daily_active_users),
    partitions: ['dt'],
  },
];

/**
 * A catalog table by its Glue name. A bare GitHub gold table name (fact_events, dim_repo, …: how the governance export
 * and older `infra.lakeFormation.tables` lists name them) means that table's catalog name (github_fact_events, …).
 */
export function tableDef(name: string): TableDef {
  const glueName = (GITHUB_GOLD_TABLES as readonly string[]).includes(name) ? catalogTableName('github', name) : name;
  const t = CATALOG_TABLES.find((x) => x.name === glueName);
  if (!t) throw new Error(`unknown catalog table ${JSON.stringify(name)}; known: ${CATALOG_TABLES.map((x) => x.name).join(', ')}`);
  return t;
}
