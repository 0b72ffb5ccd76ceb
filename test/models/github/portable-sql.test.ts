// The named analytic queries are portable: the same files run unchanged on PostgreSQL (a real server, started by
// .ci/setup.d/postgres.sh; Unix socket, peer auth) and give exactly the DuckDB results over the same gold rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Engine, Row } from '../../../src/core/engine.ts';
import { registerGithubGoldViews, GOLD_SCHEMAS } from '../../../src/models/github/views.ts';
import { listNamedQueries, runNamedQuery, type NamedQueryParams } from '../../../src/models/analytics.ts';
import { DT_MODERN, DT_TIMELINE, harness, writeModernRaw, writeTimelineRaw } from './fixtures.ts';

const PG = {
  host: process.env.EVENTLAKE_TEST_PG_HOST ?? '/var/run/postgresql',
  port: Number(process.env.EVENTLAKE_TEST_PG_PORT ?? 5432),
  database: process.env.EVENTLAKE_TEST_PG_DB ?? 'eventlake_test',
  user: process.env.EVENTLAKE_TEST_PG_USER ?? userInfo().username,
  password: process.env.EVENTLAKE_TEST_PG_PASSWORD,
};

const PG_TYPES: Record<string, string> = { INTEGER: 'integer', BIGINT: 'bigint', VARCHAR: 'text', DATE: 'date', TIMESTAMP: 'timestamp', BOOLEAN: 'boolean' };

/** A minimal Engine over one pg client (test-only): bigint comes back as a JS number like the DuckDB wrapper does. */
function pgEngine(client: pg.Client): Engine {
  return {
    kind: 'postgres',
    async run(sql, params) {
      await client.query(sql, params as unknown[] | undefined);
    },
    async all<T extends Row = Row>(sql: string, params?: unknown[] | Record<string, unknown>) {
      const r = await client.query(sql, params as unknown[] | undefined);
      return r.rows as T[];
    },
    async *stream() {
      throw new Error('not used');
    },
    async close() {
      await client.end();
    },
  };
}

test('named queries: identical results on PostgreSQL and DuckDB over the same gold rows', async () => {
  const h = await harness();
  const client = new pg.Client({
    ...PG,
    types: { getTypeParser: ((oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
  });
  const schema = `gh_q_${process.pid}_${Date.now() % 100000}`;
  await client.connect();
  try {
    await h.clean(DT_TIMELINE, writeTimelineRaw(h.root));
    await h.clean('2013-01-10', [new URL('../../fixtures/github-events-2013.json.gz', import.meta.url).pathname]);
    await h.clean(DT_MODERN, writeModernRaw(h.root));
    await h.aggregate([DT_TIMELINE, '2013-01-10', DT_MODERN]);
    await registerGithubGoldViews(h.engine, h.aggregatedRoot);

    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    for (const table of ['dim_date', 'dim_repo', 'dim_user', 'fact_events']) {
      const cols = GOLD_SCHEMAS[table]!;
      await client.query(`CREATE TABLE ${table} (${cols.map(([c, t]) => `"${c}" ${PG_TYPES[t]}`).join(', ')})`);
      // Copy through text so dates/timestamps keep their UTC wall-clock values.
      const rows = await h.engine.all(`SELECT ${cols.map(([c]) => `CAST("${c}" AS VARCHAR) AS "${c}"`).join(', ')} FROM ${table}`);
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        const tuples = chunk.map((_, j) => `(${cols.map((_c, k) => `$${j * cols.length + k + 1}`).join(', ')})`);
        await client.query(`INSERT INTO ${table} VALUES ${tuples.join(', ')}`, chunk.flatMap((r) => cols.map(([c]) => r[c])));
      }
      const [n] = (await client.query(`SELECT count(*) AS n FROM ${table}`)).rows;
      assert.equal(Number(n.n), rows.length);
    }

    const pgE = pgEngine(client);
    const cases: [string, NamedQueryParams][] = [
      ['event_type_trends', {}],
      ['event_type_trends', { from: DT_MODERN, to: DT_MODERN, repos: ['acme/widgets'] }],
      ['events_by_repo_over_time', {}],
      ['events_by_repo_over_time', { repos: ['old/name', 'acme/widgets', 'rails/rails'], from: '2012-01-01', to: '2025-12-31' }],
      ['most_active_users', { limit: 5 }],
      ['most_active_users', { from: DT_TIMELINE, to: DT_TIMELINE }],
      ['top_repos_by_stars', { limit: 3 }],
      ['top_repos_by_stars', { from: DT_MODERN, to: DT_MODERN, repos: ['new/name', 'old/name'] }],
    ];
    assert.deepEqual(new Set(cases.map((c) => c[0])), new Set(listNamedQueries().map((q) => q.name)));
    for (const [name, params] of cases) {
      const duck = await runNamedQuery(h.engine, name, params);
      const post = await runNamedQuery(pgE, name, params);
      assert.ok(duck.length > 0, `${name} ${JSON.stringify(params)} returns rows on the fixture`);
      assert.deepEqual(post, duck, `${name} ${JSON.stringify(params)}`);
    }
    // The SQL files carry no engine-specific syntax a reviewer would have to remember.
    for (const q of listNamedQueries()) {
      const body = readFileSync(new URL(`../../../models/analytics/${q.name}.sql`, import.meta.url), 'utf8').replace(/--.*$/gm, '');
      assert.doesNotMatch(body, /::|(?<!:)\bLIMIT\b|\bQUALIFY\b|\bILIKE\b|\bGROUP BY ALL\b/i, q.name);
    }
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.end();
    await h.close();
  }
});
