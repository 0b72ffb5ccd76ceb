// Every SQL statement the Redshift warehouse runs, in one module. Gold Parquet on S3 is read through Spectrum
// (an external schema over the Glue catalog the infra app defines) and copied into native tables per dt partition.
import { assertDt } from '../../lake/layout.ts';
import type { ColumnType, GoldTable } from '../gold-tables.ts';

export const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const q = (schema: string, table: string) => `${ident(schema)}.${ident(table)}`;

const RS_TYPES: Record<ColumnType, string> = {
  text: 'VARCHAR(1024)',
  bigint: 'BIGINT',
  integer: 'INTEGER',
  smallint: 'SMALLINT',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  double: 'DOUBLE PRECISION',
};

export interface RedshiftNames {
  /** Native schema the BI tools query. */
  schema: string;
  /** External (Spectrum) schema mapped to the Glue database. */
  externalSchema: string;
  glueDatabase: string;
  iamRoleArn: string;
}

export function setupStatements(n: RedshiftNames, tables: readonly GoldTable[]): string[] {
  const out = [
    `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${ident(n.externalSchema)} FROM DATA CATALOG DATABASE ${literal(n.glueDatabase)} IAM_ROLE ${literal(n.iamRoleArn)}`,
    `CREATE SCHEMA IF NOT EXISTS ${ident(n.schema)}`,
  ];
  for (const t of tables) out.push(createTable(n.schema, t));
  return out;
}

export function createTable(schema: string, t: GoldTable): string {
  const cols = t.columns.map((c) => `${ident(c.name)} ${RS_TYPES[c.type]}${c.nullable ? '' : ' NOT NULL'}`);
  cols.push(`PRIMARY KEY (${t.primaryKey.map(ident).join(', ')})`);
  // Facts are distributed on repo_id (the join to dim_repo) and sorted by dt (every dashboard filters on dates).
  const dist = t.columns.some((c) => c.name === 'repo_id') && t.partitionColumn ? ` DISTKEY(${ident('repo_id')})` : ' DISTSTYLE ALL';
  const sort = t.partitionColumn ? ` SORTKEY(${ident(t.partitionColumn)})` : '';
  return `CREATE TABLE IF NOT EXISTS ${q(schema, t.name)} (${cols.join(', ')})${dist}${sort}`;
}

function selectList(t: GoldTable): string {
  return t.columns.map((c) => (c.name === t.partitionColumn ? `CAST(${ident(c.name)} AS DATE)` : ident(c.name))).join(', ');
}

/** Replaces one dt partition of a fact table; run as one BatchExecuteStatement (a single transaction). */
export function replacePartition(n: RedshiftNames, t: GoldTable, dt: string): string[] {
  assertDt(dt);
  const cols = t.columns.map((c) => ident(c.name)).join(', ');
  return [
    `DELETE FROM ${q(n.schema, t.name)} WHERE ${ident(t.partitionColumn!)} = ${literal(dt)}`,
    `INSERT INTO ${q(n.schema, t.name)} (${cols}) SELECT ${selectList(t)} FROM ${q(n.externalSchema, t.catalogName)} WHERE ${ident(t.partitionColumn!)} = ${literal(dt)}`,
  ];
}

/** Replaces a whole dimension (gold dimensions are complete snapshots); one transaction. */
export function replaceTable(n: RedshiftNames, t: GoldTable): string[] {
  const cols = t.columns.map((c) => ident(c.name)).join(', ');
  return [`DELETE FROM ${q(n.schema, t.name)}`, `INSERT INTO ${q(n.schema, t.name)} (${cols}) SELECT ${cols} FROM ${q(n.externalSchema, t.catalogName)}`];
}

export function countRows(n: RedshiftNames, t: GoldTable): string {
  return `SELECT COUNT(*) AS n FROM ${q(n.schema, t.name)}`;
}
