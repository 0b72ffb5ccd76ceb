// The PostgreSQL and Redshift gold tables are derived from the models' own schemas (src/models/*/schema.ts) through
// src/warehouse/gold-tables.ts and each warehouse's type map: the DDL and load statements they render are pinned to
// golden files, written from the hand-listed columns that came before the derivation, so a schema change that would
// alter a warehouse table shows up here for review.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GOLD_TABLES } from '../../src/warehouse/gold-tables.ts';
import * as PG from '../../src/warehouse/postgres/sql.ts';
import * as RS from '../../src/warehouse/redshift/sql.ts';

const GOLDEN = join(import.meta.dirname, 'golden');

async function golden(file: string, actual: string): Promise<void> {
  const p = join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN) await writeFile(p, actual);
  assert.equal(actual, await readFile(p, 'utf8'), `${file} differs (review, then UPDATE_GOLDEN=1 npm test -- warehouse)`);
}

const sqlFile = (stmts: string[]) => stmts.map((s) => `${s};\n`).join('\n');

test('warehouse gold tables: one spec per table the models write, keys and indexes naming real columns', () => {
  assert.deepEqual(GOLD_TABLES.map((t) => `${t.domain}.${t.name}`), [
    'github.dim_date', 'github.dim_repo', 'github.dim_user', 'github.fact_events', 'amplitude.daily_events', 'amplitude.daily_active_users',
  ]);
  for (const t of GOLD_TABLES) {
    const cols = t.columns.map((c) => c.name);
    assert.equal(new Set(cols).size, cols.length, `${t.name}: no duplicate column`);
    for (const k of [...t.primaryKey, ...(t.indexes ?? []).flat()]) assert.ok(cols.includes(k), `${t.name}: ${k} is a column`);
    if (t.partitionColumn) {
      assert.equal(cols[0], t.partitionColumn, `${t.name}: partition column first`);
      assert.equal(t.columns[0]!.type, 'date', `${t.name}: partition column is a date`);
    }
  }
});

test('postgres: gold DDL, indexes and COPY lists match the golden file', async () => {
  const out: string[] = [PG.createSchema('gold')];
  for (const t of GOLD_TABLES) {
    out.push(PG.createTable('gold', t), PG.createTable('gold', t, { partitioned: false }), ...PG.createIndexes('gold', t), PG.copyInto('gold', t.name, t));
    if (!t.partitionColumn) out.push(PG.createStaging('gold', t), PG.upsertFromStaging('gold', t));
  }
  await golden('gold-postgres.sql', sqlFile(out));
});

test('redshift: gold setup and per-table replace statements match the golden file', async () => {
  const n: RS.RedshiftNames = { schema: 'gold', externalSchema: 'spectrum', glueDatabase: 'eventlake', iamRoleArn: 'arn:aws:iam::123456789012:role/redshift-spectrum' };
  const out = [...RS.setupStatements(n, GOLD_TABLES)];
  for (const t of GOLD_TABLES) out.push(...(t.partitionColumn ? RS.replacePartition(n, t, '2026-11-01') : RS.replaceTable(n, t)));
  await golden('gold-redshift.sql', sqlFile(out));
});
