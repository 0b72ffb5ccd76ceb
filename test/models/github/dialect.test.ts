// Parameter binding for the portable named queries (src/models/dialect.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindNamedParams, dialectFor, DIALECTS } from '../../../src/models/dialect.ts';
import { DuckDbEngine } from '../../../src/engines/duckdb/duckdb-engine.ts';
import { registerGithubGoldViews } from '../../../src/models/github/views.ts';
import { listNamedQueries, runNamedQuery } from '../../../src/models/analytics.ts';

test('dialect: :name outside literals, identifiers and comments only; :: casts untouched; lists expand', () => {
  const sql = `SELECT ':skip', "a:b", x::INT -- :nope\n/* :nope */ FROM t WHERE a = :a AND b IN (:list) AND c = :a`;
  const pg = bindNamedParams(sql, { a: 1, list: ['x', 'y', 'z'] }, DIALECTS.postgres);
  assert.equal(pg.sql, `SELECT ':skip', "a:b", x::INT -- :nope\n/* :nope */ FROM t WHERE a = $1 AND b IN ($2, $3, $4) AND c = $5`);
  assert.deepEqual(pg.values, [1, 'x', 'y', 'z', 1]);
  const tr = bindNamedParams(`SELECT 'it''s :x' WHERE a IN (:l)`, { l: [] }, DIALECTS.trino);
  assert.equal(tr.sql, `SELECT 'it''s :x' WHERE a IN (?)`);
  assert.deepEqual(tr.values, [null]);
  assert.throws(() => bindNamedParams('SELECT :missing', {}, DIALECTS.duckdb), /:missing has no value/);
  assert.equal(dialectFor('athena').name, 'trino');
  assert.equal(dialectFor('duckdb').name, 'duckdb');
  assert.throws(() => dialectFor('oracle'), /no SQL dialect/);
});

test('views: an empty lake gets typed empty views and every named query returns no rows', async () => {
  const root = mkdtempSync(join(tmpdir(), 'el-gh-empty-'));
  const engine = await DuckDbEngine.open();
  try {
    assert.deepEqual(await registerGithubGoldViews(engine, join(root, 'aggregated/github')), []);
    for (const q of listNamedQueries()) assert.deepEqual(await runNamedQuery(engine, q.name), [], q.name);
    const cols = await engine.all<{ column_name: string; column_type: string }>('DESCRIBE fact_events');
    assert.deepEqual(cols.map((c) => `${c.column_name} ${c.column_type}`), ['dt DATE', 'repo_id BIGINT', 'user_id BIGINT', 'event_type VARCHAR', 'event_count BIGINT']);
  } finally {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  }
});
