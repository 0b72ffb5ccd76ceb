// The named analytic queries run unchanged on DuckDB (over the gold Parquet) and on PostgreSQL (after
// `eventlake load postgres`) and give identical results, on the gold the demo builds from the bundled samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/demo/run-demo.ts';
import { buildContext } from '../../src/cli/context.ts';
import { loadPostgres } from '../../src/warehouse/postgres/load.ts';
import { PostgresEngine } from '../../src/warehouse/postgres/engine.ts';
import { connectPostgres } from '../../src/warehouse/postgres/client.ts';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.ts';
import { registerGithubGoldViews } from '../../src/models/github/views.ts';
import { listNamedQueries, runNamedQuery, type NamedQueryParams } from '../../src/models/analytics.ts';
import type { Row } from '../../src/core/engine.ts';

const PG = { host: '/var/run/postgresql', port: 5432, database: 'eventlake_test', user: userInfo().username, passwordEnv: 'EVENTLAKE_TEST_PG_PASSWORD' };

const norm = (rows: Row[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'bigint' ? Number(v) : v])));

test('postgres: every named query gives the same rows on PostgreSQL as on DuckDB', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'el-parity-'));
  const lake = join(dir, 'lake');
  const schema = `parity_${process.pid}`;
  const duck = await DuckDbEngine.open();
  let pge: PostgresEngine | undefined;
  try {
    await runDemo({ lake, write: () => undefined });
    const ctx = await buildContext({ lake }, { warehouse: { postgres: { ...PG, schema } } });
    const loaded = await loadPostgres(ctx);
    assert.ok((loaded.tables.fact_events ?? 0) > 0);
    // The Amplitude gold tables land too, with the same numbers as the Parquet.
    const [dau] = await duck.all<{ n: number }>(`SELECT sum(active_users)::BIGINT AS n FROM read_parquet('${join(lake, 'aggregated/amplitude/daily_active_users/*/*.parquet')}')`);
    const pgs = await connectPostgres(PG);
    const [pdau] = await pgs.query<{ n: number }>(`SELECT sum(active_users)::BIGINT AS n FROM "${schema}".daily_active_users`);
    await pgs.close();
    assert.ok(Number(dau!.n) > 0);
    assert.equal(Number(pdau!.n), Number(dau!.n));
    await registerGithubGoldViews(duck, join(lake, 'aggregated/github'));
    pge = await PostgresEngine.open(PG, schema);
    const [top] = await runNamedQuery(duck, 'top_repos_by_stars', { limit: 1 });
    const cases: [string, NamedQueryParams][] = listNamedQueries().map((q) => [q.name, {}]);
    cases.push(['events_by_repo_over_time', { repos: [String(top!.repo_name)], from: '2026-11-01', to: '2026-11-01' }]);
    cases.push(['most_active_users', { limit: 3 }]);
    for (const [name, params] of cases) {
      const a = norm(await runNamedQuery(duck, name, params));
      const b = norm(await runNamedQuery(pge, name, params));
      assert.ok(a.length > 0, `${name} returns rows on the sample`);
      assert.deepEqual(b, a, `${name} ${JSON.stringify(params)}`);
    }
  } finally {
    await pge?.close();
    await duck.close();
    const admin = await connectPostgres(PG);
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
