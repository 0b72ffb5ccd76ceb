// Athena's SQL dialect in one place: identifier/literal quoting (Trino DML uses "…", Hive DDL uses `…`),
// CTAS Parquet+Snappy partitioned by dt, INSERT INTO chunks of at most 100 partitions
// (HIVE_TOO_MANY_OPEN_PARTITIONS), partition-projection DDL, and DuckDB -> Hive type names.

/** Athena writes at most 100 partitions per CTAS / INSERT INTO. */
export const MAX_PARTITIONS_PER_QUERY = 100;

const NAME = /^[a-z_][a-z0-9_]*$/;

/** Glue names are lower-case; anything else is refused rather than silently changed. */
export function assertGlueName(name: string, what = 'name'): string {
  if (!NAME.test(name) || name.length > 255) throw new Error(`invalid Glue/Athena ${what} ${JSON.stringify(name)}: use lower-case letters, digits and _`);
  return name;
}

/** Trino/DML identifier. */
export const q = (name: string) => `"${assertGlueName(name)}"`;
/** Hive/DDL identifier. */
export const bq = (name: string) => `\`${assertGlueName(name)}\``;

/** String literal: '' doubling (Athena does not treat backslash as an escape). */
export function lit(value: string): string {
  if (value.includes('\0')) throw new Error('NUL in SQL literal');
  return `'${value.replace(/'/g, "''")}'`;
}

function s3Location(url: string): string {
  if (!/^s3:\/\/[a-z0-9.-]{3,63}\/([A-Za-z0-9!_.*()=\/-]*\/)?$/.test(url)) throw new Error(`invalid S3 location ${JSON.stringify(url)}: expected s3://bucket/prefix/ ending in /`);
  return url;
}

const DT = /^\d{4}-\d{2}-\d{2}$/;

export function chunk<T>(items: readonly T[], size = MAX_PARTITIONS_PER_QUERY): T[][] {
  if (size < 1 || size > MAX_PARTITIONS_PER_QUERY) throw new Error(`chunk size must be 1..${MAX_PARTITIONS_PER_QUERY}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface CtasPlan {
  database: string;
  table: string;
  /** The model's SELECT; its last column must be dt (Athena wants partition columns last). */
  select: string;
  /** s3://bucket/prefix/ that must be empty before the CTAS. */
  location: string;
  dts: string[];
  chunkSize?: number;
}

function dtFilter(dts: string[]): string {
  for (const d of dts) if (!DT.test(d)) throw new Error(`invalid dt ${JSON.stringify(d)}`);
  return `"dt" IN (${dts.map(lit).join(', ')})`;
}

/** One CTAS for the first ≤100 dts, then INSERT INTO for each further chunk. */
export function ctasStatements(p: CtasPlan): string[] {
  const dts = [...new Set(p.dts)].sort();
  if (dts.length === 0) throw new Error('no dt partitions to build');
  const select = p.select.trim().replace(/;\s*$/, '');
  const target = `${q(p.database)}.${q(p.table)}`;
  const [first, ...rest] = chunk(dts, p.chunkSize);
  const out = [
    [
      `CREATE TABLE ${target}`,
      'WITH (',
      "  format = 'PARQUET',",
      "  write_compression = 'SNAPPY',",
      `  external_location = ${lit(s3Location(p.location))},`,
      "  partitioned_by = ARRAY['dt']",
      ') AS',
      `SELECT * FROM (\n${select}\n) AS "src"`,
      `WHERE ${dtFilter(first!)}`,
    ].join('\n'),
  ];
  for (const c of rest) {
    out.push([`INSERT INTO ${target}`, `SELECT * FROM (\n${select}\n) AS "src"`, `WHERE ${dtFilter(c)}`].join('\n'));
  }
  return out;
}

export interface ColumnDef {
  name: string;
  /** Hive type name, e.g. string, bigint, double, timestamp, array<string>. */
  type: string;
}

export interface ProjectionTable {
  database: string;
  table: string;
  columns: ColumnDef[];
  /** s3://bucket/prefix/table/ (partitions below it as dt=YYYY-MM-DD/). */
  location: string;
  /** projection.dt.range, default NOW-3YEARS,NOW. */
  range?: string;
  /** false for unpartitioned tables (dimensions): a plain external Parquet table. */
  partitioned?: boolean;
  comment?: string;
}

const HIVE_TYPE = /^[a-z0-9_<>,:() ]+$/;

export function createDatabaseStatement(database: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${bq(database)}`;
}

/** External Parquet table partitioned by dt with partition projection (no MSCK/ADD PARTITION needed). */
export function projectionTableStatement(t: ProjectionTable): string {
  const loc = s3Location(t.location);
  const cols = t.columns.filter((c) => c.name !== 'dt');
  if (cols.length === 0) throw new Error(`table ${t.table}: no columns`);
  for (const c of cols) if (!HIVE_TYPE.test(c.type)) throw new Error(`column ${c.name}: invalid Hive type ${JSON.stringify(c.type)}`);
  const range = t.range ?? 'NOW-3YEARS,NOW';
  if (!/^[A-Za-z0-9+\-,]+$/.test(range)) throw new Error(`invalid projection range ${JSON.stringify(range)}`);
  const head = [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${bq(t.database)}.${bq(t.table)} (`,
    cols.map((c) => `  ${bq(c.name)} ${c.type}`).join(',\n'),
    ')',
    ...(t.comment ? [`COMMENT ${lit(t.comment)}`] : []),
  ];
  if (t.partitioned === false) {
    return [...head, 'STORED AS PARQUET', `LOCATION ${lit(loc)}`, "TBLPROPERTIES ('parquet.compression' = 'SNAPPY')"].join('\n');
  }
  return [
    ...head,
    'PARTITIONED BY (`dt` string)',
    'STORED AS PARQUET',
    `LOCATION ${lit(loc)}`,
    'TBLPROPERTIES (',
    "  'projection.enabled' = 'true',",
    "  'projection.dt.type' = 'date',",
    "  'projection.dt.format' = 'yyyy-MM-dd',",
    `  'projection.dt.range' = ${lit(range)},`,
    "  'projection.dt.interval' = '1',",
    "  'projection.dt.interval.unit' = 'DAYS',",
    `  'storage.location.template' = ${lit(`${loc}dt=\${dt}/`)},`,
    "  'parquet.compression' = 'SNAPPY'",
    ')',
  ].join('\n');
}

/** DuckDB column types (DESCRIBE output) -> Hive types for Glue/Athena. */
export function duckdbToHive(type: string): string {
  const t = type.trim().toUpperCase();
  const simple: Record<string, string> = {
    VARCHAR: 'string', JSON: 'string', UUID: 'string', BLOB: 'binary',
    BIGINT: 'bigint', UBIGINT: 'decimal(20,0)', HUGEINT: 'decimal(38,0)', INTEGER: 'int', UINTEGER: 'bigint',
    SMALLINT: 'smallint', USMALLINT: 'int', TINYINT: 'tinyint', UTINYINT: 'smallint',
    DOUBLE: 'double', FLOAT: 'float', BOOLEAN: 'boolean', DATE: 'date',
    TIMESTAMP: 'timestamp', 'TIMESTAMP WITH TIME ZONE': 'timestamp', TIMESTAMP_MS: 'timestamp', TIMESTAMP_NS: 'timestamp', TIMESTAMP_S: 'timestamp',
  };
  if (simple[t]) return simple[t]!;
  let m = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (m) return `decimal(${m[1]},${m[2]})`;
  if (t.endsWith('[]')) return `array<${duckdbToHive(type.trim().slice(0, -2))}>`;
  m = /^MAP\((.+)\)$/i.exec(type.trim());
  if (m) {
    const [k, v] = splitTop(m[1]!);
    return `map<${duckdbToHive(k!)},${duckdbToHive(v!)}>`;
  }
  m = /^STRUCT\((.+)\)$/i.exec(type.trim());
  if (m) {
    return `struct<${splitTop(m[1]!)
      .map((f) => {
        const fm = /^\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s+(.+)$/.exec(f)!;
        return `${fm[1]!.toLowerCase()}:${duckdbToHive(fm[2]!)}`;
      })
      .join(',')}>`;
  }
  return 'string';
}

/** Splits "a, b(c, d), e" on top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * A view named like the gold table the portable named queries use (fact_events, dim_repo, …) over its Glue table,
 * with the dt partition (a string on S3) cast to DATE as on the embedded engine.
 */
export function goldViewStatement(database: string, view: string, table: string, columns: ColumnDef[], partitioned: boolean): string {
  const cols = columns.filter((c) => c.name !== 'dt').map((c) => q(c.name));
  if (partitioned) cols.push(`CAST(${q('dt')} AS DATE) AS ${q('dt')}`);
  return `CREATE OR REPLACE VIEW ${q(database)}.${q(view)} AS\nSELECT ${cols.join(', ')}\nFROM ${q(database)}.${q(table)}`;
}

/**
 * A model SELECT re-projected so its columns come in the table's order with dt last (Athena wants partition columns
 * last; the models write dt first, as the embedded Parquet files have it).
 */
function projected(select: string, columns: readonly string[], partitioned: boolean): string {
  const cols = columns.filter((c) => c !== 'dt');
  if (partitioned) cols.push('dt');
  return `SELECT ${cols.map(q).join(', ')}\nFROM (\n${select.trim().replace(/;\s*$/, '')}\n) AS "m"`;
}

/** CTAS of a model's SELECT into Parquet+Snappy at `location` (partitioned by dt when the table is per dt). */
export function modelCtasStatement(target: string, select: string, columns: readonly string[], o: { location: string; partitioned: boolean }): string {
  return [
    `CREATE TABLE ${target}`,
    'WITH (',
    "  format = 'PARQUET',",
    "  write_compression = 'SNAPPY',",
    `  external_location = ${lit(s3Location(o.location))}${o.partitioned ? ',' : ''}`,
    ...(o.partitioned ? ["  partitioned_by = ARRAY['dt']"] : []),
    ') AS',
    projected(select, columns, o.partitioned),
  ].join('\n');
}

/** INSERT INTO an existing table from a model's SELECT, columns named explicitly. */
export function modelInsertStatement(target: string, select: string, columns: readonly string[], partitioned: boolean): string {
  const cols = columns.filter((c) => c !== 'dt');
  if (partitioned) cols.push('dt');
  return `INSERT INTO ${target} (${cols.map(q).join(', ')})\n${projected(select, columns, partitioned)}`;
}

/** A Glue table as a FROM item, optionally only some dt partitions: ("db"."t" WHERE "dt" IN (…)) AS "alias". */
export function tableSource(database: string, table: string, alias: string, dts?: readonly string[]): string {
  const t = `${q(database)}.${q(table)}`;
  if (!dts) return `${t} AS ${q(alias)}`;
  return `(SELECT * FROM ${t} WHERE ${dtFilter([...dts])}) AS ${q(alias)}`;
}
