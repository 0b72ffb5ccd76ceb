import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Governance, governedQuery, guardSelect } from '../../src/governance/index.ts';
import { governanceConfig, writeGold } from './gold-fixture.ts';
import { testLake, type TestLake } from './helpers.ts';

let lake: TestLake;
let gov: Governance;

before(async () => {
  lake = await testLake({ governance: governanceConfig });
  await writeGold(lake.ctx);
  gov = new Governance(lake.ctx);
});
after(async () => {
  await gov.close();
  await lake.cleanup();
});

test('governance: a repo owner sees only rows of their repos (fact_events, dim_repo, dim_user)', async () => {
  const a = await gov.query('alice', 'SELECT repo_id, sum(event_count) AS n FROM fact_events GROUP BY repo_id ORDER BY repo_id');
  assert.deepEqual(a.rows, [{ repo_id: 1, n: 8 }, { repo_id: 2, n: 2 }]);
  const b = await gov.query('bob', 'SELECT repo_name FROM dim_repo');
  assert.deepEqual(b.rows, [{ repo_name: 'bob/tool' }]);
  // Cross-tenant id in the WHERE clause: still only bob's rows exist for bob.
  const cross = await gov.query('bob', 'SELECT count(*) AS n FROM fact_events WHERE repo_id IN (1, 2, 4) OR 1 = 1');
  assert.deepEqual(cross.rows, [{ n: 2 }]);
  const users = await gov.query('alice', 'SELECT user_id, login FROM dim_user ORDER BY user_id');
  assert.deepEqual(users.rows, [{ user_id: 10, login: 'u-alice' }, { user_id: 13, login: 'dependabot[bot]' }]);
  // Joins and CTEs go through the same views.
  const j = await gov.query('alice', 'WITH t AS (SELECT f.repo_id, r.repo_name FROM fact_events f JOIN dim_repo r ON r.repo_id = f.repo_id) SELECT DISTINCT repo_name FROM t ORDER BY 1');
  assert.deepEqual(j.rows, [{ repo_name: 'alice/app' }, { repo_name: 'alice/lib' }]);
  const admin = await gov.query('admin', 'SELECT count(*) AS n FROM dim_repo');
  assert.deepEqual(admin.rows, [{ n: 4 }]);
});

test('governance: column masks (null, hash) and denied columns', async () => {
  const a = await gov.query('alice', 'SELECT email FROM dim_user');
  assert.ok(a.rows.length > 0 && a.rows.every((r) => r.email === null));
  const an = await gov.query('analyst', "SELECT login FROM dim_user WHERE user_id = 10");
  assert.match(String(an.rows[0]!.login), /^[0-9a-f]{32}$/);
  assert.notEqual(an.rows[0]!.login, 'u-alice');
  await assert.rejects(gov.query('analyst', 'SELECT email FROM dim_user'), /email/);
  // The analyst's policy names no dim_repo: it does not exist for them.
  await assert.rejects(gov.query('analyst', 'SELECT * FROM dim_repo'), /table "dim_repo" is not available to this principal/);
});

test('governance: anything but one SELECT over governed tables is refused, and refusals are audited', async () => {
  const refusals: [string, RegExp][] = [
    ['DELETE FROM fact_events', /only SELECT is allowed/],
    ['SELECT 1; SELECT 2', /exactly one statement/],
    ["SELECT * FROM fact_events; COPY fact_events TO '/tmp/x'", /not valid SQL|exactly one statement/],
    [`SELECT * FROM read_parquet('${lake.ctx.storage.localPath('aggregated/github/fact_events')}/**/*.parquet')`, /table function read_parquet\(\) is not allowed/],
    ["SELECT * FROM 'aggregated/github/dim_user/part-0.parquet'", /not available to this principal/],
    ['SELECT * FROM main.fact_events', /schema-qualified/],
    ['SELECT * FROM governed.fact_events', /schema-qualified/],
    ['SELECT * FROM information_schema.tables', /schema-qualified/],
    ["SELECT current_setting('allowed_directories')", /function current_setting\(\) is not allowed/],
    ['WITH fact_events AS (SELECT 1 AS repo_id) SELECT * FROM fact_events', /may not shadow/],
    ['SELECT * FROM (SELECT * FROM glob(\'/etc/*\')) g', /table function glob\(\) is not allowed/],
  ];
  const before = (await gov.audit.verify()).entries;
  for (const [sql, re] of refusals) await assert.rejects(gov.query('alice', sql), re, sql);
  const v = await gov.audit.verify();
  assert.equal(v.ok, true);
  assert.equal(v.entries, before + refusals.length);
  const last: unknown[] = [];
  for await (const { entry } of gov.audit.entries()) last.push(entry);
  assert.deepEqual((last.at(-1) as { actor: string; outcome: string }).outcome, 'refused');
});

test('governance: the guard rewrites table references to the governed views', () => {
  const g = guardSelect('SELECT r.repo_name FROM fact_events f JOIN dim_repo r USING (repo_id)', new Set(['fact_events', 'dim_repo']));
  assert.equal(g.sql, 'SELECT "r".repo_name FROM "governed"."fact_events" AS "f" INNER JOIN "governed"."dim_repo" AS "r" USING (repo_id)');
  assert.deepEqual(g.tables, ['dim_repo', 'fact_events']);
});

test('governance: governedQuery one-shot and named queries', async () => {
  const r = await governedQuery(lake.ctx, 'bob', 'SELECT DISTINCT event_type FROM fact_events ORDER BY 1');
  assert.deepEqual(r.rows, [{ event_type: 'PullRequestEvent' }, { event_type: 'PushEvent' }]);
  const n = await gov.named('alice', 'events-by-repo');
  assert.deepEqual(n.rows, [{ repo_name: 'alice/app', events: 8 }, { repo_name: 'alice/lib', events: 2 }]);
});

test('governance: a runaway query is interrupted at queryTimeoutMs and the principal can query again', async () => {
  const l2 = await testLake({ governance: { ...governanceConfig, queryTimeoutMs: 300 } });
  const g2 = new Governance(l2.ctx);
  try {
    await writeGold(l2.ctx);
    // 6^12 ≈ 2·10^9 joined rows: far longer than 300 ms on any machine.
    const joins = Array.from({ length: 12 }, (_, i) => `fact_events f${i}`).join(', ');
    await assert.rejects(g2.query('admin', `SELECT sum(f0.event_count * f11.event_count) AS s FROM ${joins}`), (e: Error & { code?: string }) => e.code === 'TIMEOUT' && /interrupted after 300 ms/.test(e.message));
    const ok = await g2.query('admin', 'SELECT count(*) AS n FROM dim_repo');
    assert.deepEqual(ok.rows, [{ n: 4 }]);
  } finally {
    await g2.close();
    await l2.cleanup();
  }
});

test('governance: the same policies exported as Lake Formation data cells filters (ids frozen per owner, masks excluded)', async () => {
  const { lakeFormationFilters } = await import('../../src/governance/lake-formation.ts');
  const filters = await lakeFormationFilters(lake.ctx, { database: 'eventlake', catalogId: '123456789012' });
  const get = (p: string, t: string) => filters.find((f) => f.principal === p && f.TableName === t);
  assert.deepEqual(get('alice', 'fact_events'), {
    principal: 'alice',
    TableCatalogId: '123456789012',
    DatabaseName: 'eventlake',
    TableName: 'fact_events',
    Name: 'eventlake_alice_fact_events',
    RowFilter: { FilterExpression: 'repo_id IN (1, 2)' },
    ColumnWildcard: { ExcludedColumnNames: [] },
  });
  assert.deepEqual(get('bob', 'dim_user')?.RowFilter, { FilterExpression: 'user_id IN (11, 13)' });
  assert.deepEqual(get('bob', 'dim_user')?.ColumnWildcard, { ExcludedColumnNames: ['email'] });
  assert.deepEqual(get('alice', 'dim_date')?.RowFilter, { AllRowsWildcard: {} });
  assert.deepEqual(get('analyst', 'dim_user')?.ColumnWildcard, { ExcludedColumnNames: ['email', 'login'] });
  assert.equal(filters.some((f) => f.principal === 'admin'), false);
});
