// Every SQL statement the PostgreSQL warehouse runs, in one module. Identifiers are always quoted.
import type { ColumnType, GoldTable } from '../gold-tables.ts';

export const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const qualified = (schema: string, table: string): string => `${ident(schema)}.${ident(table)}`;

const PG_TYPES: Record<ColumnType, string> = {
  text: 'text',
  bigint: 'bigint',
  integer: 'integer',
  smallint: 'smallint',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  double: 'double precision',
};

export function createSchema(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`;
}

/**
 * Tables written per dt are LIST-partitioned on dt, one partition per day: replacing a day is TRUNCATE of its
 * partition + COPY in one transaction — no dead tuples or index bloat from DELETE, and a rollback restores the old rows.
 * `partitioned: false` gives the same table unpartitioned (the bench's bare comparison).
 */
export function createTable(schema: string, t: GoldTable, opts: { partitioned?: boolean } = {}): string {
  const cols = t.columns.map((c) => `${ident(c.name)} ${PG_TYPES[c.type]}${c.nullable ? '' : ' NOT NULL'}`);
  cols.push(`PRIMARY KEY (${t.primaryKey.map(ident).join(', ')})`);
  const partitioned = (opts.partitioned ?? true) && t.partitionColumn;
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, t.name)} (\n  ${cols.join(',\n  ')}\n)${partitioned ? ` PARTITION BY LIST (${ident(t.partitionColumn!)})` : ''}`;
}

/** The partition table holding one dt of a per-dt table, e.g. fact_events_p20261101. */
export function partitionName(t: GoldTable, dt: string): string {
  return `${t.name}_p${dt.replace(/-/g, '')}`;
}

export function createPartition(schema: string, t: GoldTable, dt: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, partitionName(t, dt))} PARTITION OF ${qualified(schema, t.name)} FOR VALUES IN ('${dt.replace(/'/g, "''")}')`;
}

export function truncatePartition(schema: string, t: GoldTable, dt: string): string {
  return `TRUNCATE ${qualified(schema, partitionName(t, dt))}`;
}

export function createIndexes(schema: string, t: GoldTable): string[] {
  return (t.indexes ?? []).map(
    (cols) => `CREATE INDEX IF NOT EXISTS ${ident(`${t.name}_${cols.join('_')}_idx`)} ON ${qualified(schema, t.name)} (${cols.map(ident).join(', ')})`,
  );
}

/** Load history: which gold files (by fingerprint) a partition was loaded from, so unchanged partitions are skipped. */
export function createLoadHistory(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, '_load_history')} (
  table_name text NOT NULL,
  partition text NOT NULL,
  fingerprint text NOT NULL,
  row_count bigint NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (table_name, partition)
)`;
}

export function selectFingerprint(schema: string): string {
  return `SELECT fingerprint FROM ${qualified(schema, '_load_history')} WHERE table_name = $1 AND partition = $2`;
}

export function upsertLoadHistory(schema: string): string {
  return `INSERT INTO ${qualified(schema, '_load_history')} (table_name, partition, fingerprint, row_count, loaded_at)
VALUES ($1, $2, $3, $4, now())
ON CONFLICT (table_name, partition) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, row_count = EXCLUDED.row_count, loaded_at = now()`;
}

export function copyInto(schema: string, table: string, t: GoldTable): string {
  return `COPY ${qualified(schema, table)} (${t.columns.map((c) => ident(c.name)).join(', ')}) FROM STDIN WITH (FORMAT csv, NULL '\\N')`;
}

export function createStaging(schema: string, t: GoldTable): string {
  return `CREATE TEMP TABLE ${ident(`stage_${t.name}`)} (LIKE ${qualified(schema, t.name)} INCLUDING DEFAULTS) ON COMMIT DROP`;
}

/** Dimensions are upserted: first_seen keeps the earliest, last_seen the latest, other attributes the newest. */
export function upsertFromStaging(schema: string, t: GoldTable): string {
  const cols = t.columns.map((c) => ident(c.name)).join(', ');
  const updates = t.columns
    .filter((c) => !t.primaryKey.includes(c.name))
    .map((c) => {
      const col = ident(c.name);
      if (c.name === 'first_seen') return `${col} = LEAST(${ident(t.name)}.${col}, EXCLUDED.${col})`;
      if (c.name === 'last_seen') return `${col} = GREATEST(${ident(t.name)}.${col}, EXCLUDED.${col})`;
      return `${col} = EXCLUDED.${col}`;
    });
  const action = updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
  return `INSERT INTO ${qualified(schema, t.name)} AS ${ident(t.name)} (${cols})
SELECT ${cols} FROM ${ident(`stage_${t.name}`)}
ON CONFLICT (${t.primaryKey.map(ident).join(', ')}) ${action}`;
}

export function countRows(schema: string, t: GoldTable): string {
  return `SELECT count(*)::bigint AS n FROM ${qualified(schema, t.name)}`;
}
