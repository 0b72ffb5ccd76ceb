// The Amplitude model's schemas: what it reads and (at the end) the gold tables it writes.
// The explicit schema of one Amplitude Export API event (no auto-detection): the JSON key, the type DuckDB reads
// it as, and whether a record without it is rejected. The same list drives the fast DuckDB read and the per-line
// validator, so both paths accept and reject the same records.
import type { GoldSchema } from '../gold-schema.ts';

export type FieldType = 'VARCHAR' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP' | 'JSON';

export interface Field {
  /** Key in the export JSON. */
  key: string;
  type: FieldType;
  required?: boolean;
}

export const AMPLITUDE_FIELDS: readonly Field[] = Object.freeze([
  { key: 'uuid', type: 'VARCHAR', required: true },
  { key: 'event_type', type: 'VARCHAR', required: true },
  { key: 'event_time', type: 'TIMESTAMP', required: true },
  { key: 'server_upload_time', type: 'TIMESTAMP' },
  { key: 'client_event_time', type: 'TIMESTAMP' },
  { key: 'client_upload_time', type: 'TIMESTAMP' },
  { key: 'server_received_time', type: 'TIMESTAMP' },
  { key: 'processed_time', type: 'TIMESTAMP' },
  { key: 'user_creation_time', type: 'TIMESTAMP' },
  { key: '$insert_id', type: 'VARCHAR' },
  { key: 'app', type: 'BIGINT' },
  { key: 'amplitude_id', type: 'BIGINT' },
  { key: 'event_id', type: 'BIGINT' },
  { key: 'session_id', type: 'BIGINT' },
  { key: 'user_id', type: 'VARCHAR' },
  { key: 'device_id', type: 'VARCHAR' },
  { key: 'platform', type: 'VARCHAR' },
  { key: 'os_name', type: 'VARCHAR' },
  { key: 'os_version', type: 'VARCHAR' },
  { key: 'device_brand', type: 'VARCHAR' },
  { key: 'device_manufacturer', type: 'VARCHAR' },
  { key: 'device_model', type: 'VARCHAR' },
  { key: 'device_family', type: 'VARCHAR' },
  { key: 'device_type', type: 'VARCHAR' },
  { key: 'device_carrier', type: 'VARCHAR' },
  { key: 'country', type: 'VARCHAR' },
  { key: 'region', type: 'VARCHAR' },
  { key: 'city', type: 'VARCHAR' },
  { key: 'dma', type: 'VARCHAR' },
  { key: 'language', type: 'VARCHAR' },
  { key: 'ip_address', type: 'VARCHAR' },
  { key: 'location_lat', type: 'DOUBLE' },
  { key: 'location_lng', type: 'DOUBLE' },
  { key: 'library', type: 'VARCHAR' },
  { key: 'version_name', type: 'VARCHAR' },
  { key: 'start_version', type: 'VARCHAR' },
  { key: 'paying', type: 'VARCHAR' },
  { key: 'adid', type: 'VARCHAR' },
  { key: 'idfa', type: 'VARCHAR' },
  { key: 'amplitude_event_type', type: 'VARCHAR' },
  { key: 'is_attribution_event', type: 'BOOLEAN' },
  { key: 'sample_rate', type: 'DOUBLE' },
  { key: 'partner_id', type: 'VARCHAR' },
  { key: 'source_id', type: 'VARCHAR' },
  { key: 'event_properties', type: 'JSON' },
  { key: 'user_properties', type: 'JSON' },
  { key: 'group_properties', type: 'JSON' },
  { key: 'groups', type: 'JSON' },
  { key: 'global_user_properties', type: 'JSON' },
  { key: 'data', type: 'JSON' },
  { key: 'plan', type: 'JSON' },
  { key: 'amplitude_attribution_ids', type: 'JSON' },
] as Field[]);

/** Keys whose values must be plain strings (objects/arrays there mean a broken record, not a property bag). */
export const REQUIRED_STRING_KEYS = AMPLITUDE_FIELDS.filter((f) => f.required && f.type === 'VARCHAR').map((f) => f.key);

/** The `columns={...}` struct literal for read_ndjson. */
export function columnsLiteral(fields: readonly Field[] = AMPLITUDE_FIELDS): string {
  return '{' + fields.map((f) => `'${f.key.replace(/'/g, "''")}': '${f.type}'`).join(', ') + '}';
}

// ---------------------------------------------------------------------------------------------------------------
// The Amplitude gold tables, defined once: the columns each writes (models/amplitude/gold_*.sql) in file order with a
// portable logical type. Every table is written per event day; dt (that day as text) comes last, as Athena wants
// partition columns. The Athena SELECT lists (gold.ts), the Glue catalog (infra/lib/catalog-tables.ts) and the
// PostgreSQL/Redshift tables (src/warehouse/gold-tables.ts) derive from here.
export const AMPLITUDE_GOLD_TABLES = ['daily_events', 'daily_active_users'] as const;
export type AmplitudeGoldTable = (typeof AMPLITUDE_GOLD_TABLES)[number];

export const AMPLITUDE_GOLD_SCHEMA: GoldSchema<AmplitudeGoldTable> = Object.freeze({
  daily_events: [['event_date', 'date'], ['event_type', 'string'], ['platform', 'string'], ['country', 'string'], ['event_count', 'int64'], ['user_count', 'int64'], ['dt', 'string']],
  daily_active_users: [['event_date', 'date'], ['active_users', 'int64'], ['active_devices', 'int64'], ['event_count', 'int64'], ['dt', 'string']],
});
