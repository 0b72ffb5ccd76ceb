// The gold columns are defined once per model (src/models/github/schema.ts, src/models/amplitude/schema.ts) and
// spelled per target through small type maps. Here: the DuckDB views over an empty lake, whose SQL is pinned to a
// golden file written from the hand-listed columns that came before the derivation, and whose columns DuckDB reports
// in the order and types of the schema. (Glue: test/infra catalog snapshot and catalog-schema; Athena: test/cloud
// golden plans; PostgreSQL/Redshift: test/warehouse/gold-ddl.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.ts';
import { registerGithubGoldViews, GOLD_SCHEMAS } from '../../src/models/github/views.ts';
import { GOLD_COLUMNS } from '../../src/models/github/gold-sql.ts';
import { AMPLITUDE_GOLD_COLUMNS } from '../../src/models/amplitude/gold.ts';

const GOLDEN = join(import.meta.dirname, 'golden');

async function golden(file: string, actual: string): Promise<void> {
  const p = join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN) await writeFile(p, actual);
  assert.equal(actual, await readFile(p, 'utf8'), `${file} differs (review, then UPDATE_GOLDEN=1 npm test -- models/gold-schema)`);
}

test('github gold views over an empty lake: same SQL as the golden file, columns in schema order and types', async () => {
  const root = mkdtempSync(join(tmpdir(), 'el-gold-schema-'));
  const engine = await DuckDbEngine.open();
  try {
    const sql: string[] = [];
    const recording = Object.create(engine, { run: { value: (s: string) => (sql.push(s), engine.run(s)) } }) as DuckDbEngine;
    assert.deepEqual(await registerGithubGoldViews(recording, root), [], 'no table has data');
    await golden('github-gold-views.sql', sql.map((s) => `${s};\n`).join(''));
    for (const [table, cols] of Object.entries(GOLD_SCHEMAS)) {
      const got = await engine.all<{ column_name: string; column_type: string }>(`DESCRIBE ${table}`);
      assert.deepEqual(got.map((c) => [c.column_name, c.column_type]), cols, `${table}: view columns`);
    }
  } finally {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('gold schemas: every table lists distinct columns; per-dt GitHub tables start with dt, Amplitude tables end with it', () => {
  for (const [t, cols] of [...Object.entries(GOLD_COLUMNS), ...Object.entries(AMPLITUDE_GOLD_COLUMNS)]) {
    const names = cols.map(([n]) => n);
    assert.equal(new Set(names).size, names.length, `${t}: distinct column names`);
  }
  for (const t of ['fact_events', 'repo_daily', 'user_daily'] as const) assert.deepEqual(GOLD_COLUMNS[t][0], ['dt', 'date'], t);
  for (const cols of Object.values(AMPLITUDE_GOLD_COLUMNS)) assert.deepEqual(cols.at(-1), ['dt', 'string']);
});
