// Golden tests of the GitHub gold build and the named analytic queries. Expected values come from a plain-JS reference
// over the fixture lines (fixtures.ts referenceEvents), not from the SQL under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { registerGithubGoldViews } from '../../../src/models/github/views.ts';
import { listNamedQueries, runNamedQuery, compileNamedQuery } from '../../../src/models/analytics.ts';
import { DIALECTS } from '../../../src/models/dialect.ts';
import {
  DT_MODERN, DT_TIMELINE, harness, hour00Lines, hour01Lines, referenceEvents, timelineFileLines, writeModernRaw, writeTimelineRaw,
  countBy, type Harness, type RefEvent,
} from './fixtures.ts';

const FIXTURE_2013 = new URL('../../fixtures/github-events-2013.json.gz', import.meta.url).pathname;
const DT_2013 = '2013-01-10';
const lines2013 = gunzipSync(readFileSync(FIXTURE_2013)).toString('utf8').split('\n').filter(Boolean);

function reference(): RefEvent[] {
  return referenceEvents([
    { dt: DT_TIMELINE, lines: timelineFileLines, bad: [] },
    { dt: DT_2013, lines: lines2013, bad: [] },
    { dt: DT_MODERN, lines: hour00Lines, bad: [7, 8, 9, 12, 13, 15] },
    { dt: DT_MODERN, lines: hour01Lines, bad: [3, 5, 6, 8] },
  ]);
}

async function cleanAll(h: Harness): Promise<void> {
  await h.clean(DT_TIMELINE, writeTimelineRaw(h.root));
  await h.clean(DT_2013, [FIXTURE_2013]);
  await h.clean(DT_MODERN, writeModernRaw(h.root));
}

const iso = (t: unknown) => (t as Date).toISOString();
const byNum = (a: number, b: number) => a - b;

function groupBy<T>(xs: T[], key: (x: T) => string | number): Map<string | number, T[]> {
  const m = new Map<string | number, T[]>();
  for (const x of xs) {
    const k = key(x);
    m.set(k, [...(m.get(k) ?? []), x]);
  }
  return m;
}

async function dump(h: Harness, table: string, order: string) {
  return h.engine.all(`SELECT * FROM ${table} ORDER BY ${order}`);
}

test('gold: exact star schema from the fixtures (fact_events, dim_repo keyed on ids, dim_user with bots, dim_date)', async () => {
  const h = await harness();
  try {
    await cleanAll(h);
    const counts = await h.aggregate([DT_MODERN, DT_TIMELINE, DT_2013]);
    const ref = reference();
    await registerGithubGoldViews(h.engine, h.aggregatedRoot);

    // fact_events: one row per (dt, repo, user, type) with its event count.
    const factRef = [...groupBy(ref, (e) => `${e.dt}|${e.repoId}|${e.userId}|${e.type}`).values()]
      .map((g) => ({ dt: g[0]!.dt, repo_id: g[0]!.repoId ?? 0, user_id: g[0]!.userId, event_type: g[0]!.type, event_count: g.length }))
      .sort((a, b) => (a.dt + a.event_type + a.user_id + a.repo_id < b.dt + b.event_type + b.user_id + b.repo_id ? -1 : 1));
    const fact = (await h.engine.all(`SELECT strftime(dt, '%Y-%m-%d') AS dt, repo_id, user_id, event_type, event_count FROM fact_events`))
      .sort((a, b) => (`${a.dt}${a.event_type}${a.user_id}${a.repo_id}` < `${b.dt}${b.event_type}${b.user_id}${b.repo_id}` ? -1 : 1));
    assert.deepEqual(fact, factRef);
    assert.equal(counts.fact_events, factRef.length);
    assert.equal(fact.reduce((s, r) => s + Number(r.event_count), 0), ref.length);
    // The timeline FollowEvent has no repository: it counts under repo_id 0 (no dim_repo row), never NULL.
    assert.deepEqual(fact.filter((r) => r.repo_id === 0).map((r) => r.event_type), ['FollowEvent']);
    assert.equal(fact.filter((r) => r.repo_id === null || r.user_id === null).length, 0);

    // dim_repo: keyed on repo ids; "old/name" is two repos (2002 later renamed to new/name, 2003 kept it).
    const repoRef = [...groupBy(ref.filter((e) => e.repoId !== null), (e) => e.repoId!).entries()]
      .map(([id, g]) => {
        const name = [...g].sort((a, b) => a.createdAt - b.createdAt || (a.repoName! < b.repoName! ? -1 : 1)).at(-1)!.repoName!;
        return { repo_id: id, repo_name: name, owner_login: name.split('/')[0], first_seen: Math.min(...g.map((e) => e.createdAt)), last_seen: Math.max(...g.map((e) => e.createdAt)) };
      })
      .sort((a, b) => byNum(a.repo_id as number, b.repo_id as number));
    const repos = (await dump(h, 'dim_repo', 'repo_id')).map((r) => ({ ...r, first_seen: Date.parse(iso(r.first_seen)), last_seen: Date.parse(iso(r.last_seen)) }));
    assert.deepEqual(repos, repoRef);
    assert.deepEqual(repos.filter((r) => r.repo_id === 2002 || r.repo_id === 2003).map((r) => [r.repo_id, r.repo_name]), [[2002, 'new/name'], [2003, 'old/name']]);

    // dim_user: login seen last (alice renamed; timeline "zed"/"Zed" is one user with a negative surrogate key).
    const bots = new Set(['dependabot[bot]', 'renovate-bot']);
    const userRef = [...groupBy(ref, (e) => e.userId).entries()]
      .map(([id, g]) => {
        const login = [...g].sort((a, b) => a.createdAt - b.createdAt || (a.login < b.login ? -1 : 1)).at(-1)!.login;
        return { user_id: id, login, first_seen: Math.min(...g.map((e) => e.createdAt)), last_seen: Math.max(...g.map((e) => e.createdAt)), is_bot: bots.has(login) };
      })
      .sort((a, b) => byNum(a.user_id as number, b.user_id as number));
    const users = (await dump(h, 'dim_user', 'user_id')).map((r) => ({ ...r, first_seen: Date.parse(iso(r.first_seen)), last_seen: Date.parse(iso(r.last_seen)) }));
    assert.deepEqual(users, userRef);
    assert.equal(users.find((u) => u.user_id === 101)!.login, 'alice-renamed');
    assert.deepEqual(users.filter((u) => u.is_bot).map((u) => u.login).sort(), ['dependabot[bot]', 'renovate-bot']);
    assert.equal(users.filter((u) => Number(u.user_id) < 0).map((u) => u.login).sort().join(','), 'Zed,yan');

    // dim_date: a continuous calendar from the first to the last dt.
    const days = (Date.parse(`${DT_MODERN}T00:00:00Z`) - Date.parse(`${DT_TIMELINE}T00:00:00Z`)) / 86_400_000 + 1;
    assert.equal(counts.dim_date, days);
    const dd = await h.engine.all(`SELECT date_key, strftime(date, '%Y-%m-%d') AS date, year, quarter, month, day, day_of_week, is_weekend FROM dim_date WHERE date_key IN (20120211, 20130110, 20251007) ORDER BY date_key`);
    assert.deepEqual(dd, [
      { date_key: 20120211, date: '2012-02-11', year: 2012, quarter: 1, month: 2, day: 11, day_of_week: 6, is_weekend: true },
      { date_key: 20130110, date: '2013-01-10', year: 2013, quarter: 1, month: 1, day: 10, day_of_week: 4, is_weekend: false },
      { date_key: 20251007, date: '2025-10-07', year: 2025, quarter: 4, month: 10, day: 7, day_of_week: 2, is_weekend: false },
    ]);
    const [dcount] = await h.engine.all(`SELECT count(*) AS n, count(DISTINCT date_key) AS k FROM dim_date`);
    assert.deepEqual(dcount, { n: days, k: days });

    // Layout: per-dt partitions for the fact, single files for the dims.
    assert.deepEqual(readdirSync(join(h.aggregatedRoot, 'fact_events')).sort(), [`dt=${DT_TIMELINE}`, `dt=${DT_2013}`, `dt=${DT_MODERN}`]);
    assert.deepEqual(readdirSync(join(h.aggregatedRoot, 'dim_repo')), ['part-0.parquet']);
  } finally {
    await h.close();
  }
});

test('gold: incremental per dt — building dts one by one, and rebuilding one, equals one full build', async () => {
  const h = await harness();
  try {
    await cleanAll(h);
    await h.aggregate([DT_2013]);
    await h.aggregate([DT_MODERN]);
    await h.aggregate([DT_TIMELINE]);
    const again = await h.aggregate([DT_MODERN]);
    await registerGithubGoldViews(h.engine, h.aggregatedRoot);
    const snapshot = async () => ({
      fact: await dump(h, 'fact_events', 'dt, repo_id, user_id, event_type'),
      repo: await dump(h, 'dim_repo', 'repo_id'),
      user: await dump(h, 'dim_user', 'user_id'),
      date: await dump(h, 'dim_date', 'date_key'),
    });
    const incremental = await snapshot();

    const h2 = await harness();
    try {
      await cleanAll(h2);
      const full = await h2.aggregate([DT_TIMELINE, DT_2013, DT_MODERN]);
      await registerGithubGoldViews(h2.engine, h2.aggregatedRoot);
      const fullSnap = {
        fact: await dump(h2, 'fact_events', 'dt, repo_id, user_id, event_type'),
        repo: await dump(h2, 'dim_repo', 'repo_id'),
        user: await dump(h2, 'dim_user', 'user_id'),
        date: await dump(h2, 'dim_date', 'date_key'),
      };
      assert.deepEqual(incremental, fullSnap);
      assert.deepEqual([again.dim_repo, again.dim_user, again.dim_date], [full.dim_repo, full.dim_user, full.dim_date]);
    } finally {
      await h2.close();
    }

    // The lake itself is only written by the promotion: a build that is never promoted leaves it untouched.
    const before = await dump(h, 'fact_events', 'dt, repo_id, user_id, event_type');
    const staging = join(h.root, 'staging', 'unpromoted');
    mkdirSync(staging, { recursive: true });
    const { model } = await import('../../../src/models/github/index.ts');
    const staged = await model.buildAggregated!({ engine: h.engine, dts: [DT_MODERN], cleanedRoot: h.cleanedRoot, aggregatedRoot: h.aggregatedRoot, stagingDir: staging, codec: 'zstd' });
    assert.deepEqual(await dump(h, 'fact_events', 'dt, repo_id, user_id, event_type'), before);
    assert.deepEqual(readdirSync(staging).sort(), ['dim_date', 'dim_repo', 'dim_user', 'fact_events', 'repo_daily', 'user_daily']);
    assert.deepEqual(readdirSync(join(staging, 'fact_events')), [`dt=${DT_MODERN}`]);
    assert.equal(staged.fact_events, before.filter((r) => (r.dt as Date).toISOString().startsWith(DT_MODERN)).length);
  } finally {
    await h.close();
  }
});

test('named queries: exact results on the fixtures, computed independently', async () => {
  const h = await harness();
  try {
    await cleanAll(h);
    await h.aggregate([DT_TIMELINE, DT_2013, DT_MODERN]);
    await registerGithubGoldViews(h.engine, h.aggregatedRoot);
    const ref = reference();
    const repoName = new Map<number, string>();
    for (const e of [...ref].sort((a, b) => a.createdAt - b.createdAt || (a.repoName! < b.repoName! ? -1 : 1))) if (e.repoId !== null) repoName.set(e.repoId, e.repoName!);
    const login = new Map<number, string>();
    for (const e of [...ref].sort((a, b) => a.createdAt - b.createdAt || (a.login < b.login ? -1 : 1))) login.set(e.userId, e.login);

    assert.deepEqual(listNamedQueries().map((q) => q.name), ['event_type_trends', 'events_by_repo_over_time', 'most_active_users', 'top_repos_by_stars']);

    // event_type_trends over everything.
    const trends = [...countBy(ref, (e) => `${e.dt}|${e.type}`).entries()]
      .map(([k, n]) => ({ day: k.split('|')[0], event_type: k.split('|')[1], events: n }))
      .sort((a, b) => (a.day !== b.day ? (a.day! < b.day! ? -1 : 1) : b.events - a.events || (a.event_type! < b.event_type! ? -1 : 1)));
    assert.deepEqual(await runNamedQuery(h.engine, 'event_type_trends'), trends);
    // The 2013 day equals the sample's own per-type counts.
    const expected2013 = JSON.parse(readFileSync(new URL('../../fixtures/github-events-2013.expected.json', import.meta.url), 'utf8'));
    const day2013 = await runNamedQuery(h.engine, 'event_type_trends', { from: DT_2013, to: DT_2013 });
    assert.deepEqual(Object.fromEntries(day2013.map((r) => [r.event_type, r.events])), expected2013.count_per_type);

    // events_by_repo_over_time for two names: "old/name" is now only repo 2003 (2002 was renamed to new/name).
    const want = new Set(['old/name', 'acme/widgets']);
    const byRepo = [...countBy(ref.filter((e) => e.repoId !== null && want.has(repoName.get(e.repoId)!)), (e) => `${e.dt}|${e.repoId}`).entries()]
      .map(([k, n]) => ({ day: k.split('|')[0], repo_id: Number(k.split('|')[1]), repo_name: repoName.get(Number(k.split('|')[1])), events: n }))
      .sort((a, b) => (a.day !== b.day ? (a.day! < b.day! ? -1 : 1) : b.events - a.events || a.repo_id - b.repo_id));
    const gotByRepo = await runNamedQuery(h.engine, 'events_by_repo_over_time', { repos: ['old/name', 'acme/widgets'], from: '2025-01-01', to: '2025-12-31' });
    assert.deepEqual(gotByRepo, byRepo);
    assert.deepEqual(gotByRepo.map((r) => r.repo_id), [1001, 2003]);
    // No repos: every repo; a window that excludes everything: no rows.
    assert.equal((await runNamedQuery(h.engine, 'events_by_repo_over_time')).length, new Set(ref.filter((e) => e.repoId !== null).map((e) => `${e.dt}|${e.repoId}`)).size);
    assert.deepEqual(await runNamedQuery(h.engine, 'events_by_repo_over_time', { from: '2020-01-01', to: '2020-12-31' }), []);

    // most_active_users, top 4.
    const active = [...countBy(ref, (e) => String(e.userId)).entries()]
      .map(([id, n]) => ({ user_id: Number(id), events: n }))
      .sort((a, b) => b.events - a.events || a.user_id - b.user_id)
      .slice(0, 4)
      .map((u, i) => ({ rnk: i + 1, user_id: u.user_id, login: login.get(u.user_id), is_bot: ['dependabot[bot]', 'renovate-bot'].includes(login.get(u.user_id)!), events: u.events }));
    assert.deepEqual(await runNamedQuery(h.engine, 'most_active_users', { limit: 4 }), active);
    assert.equal(active[0]!.login, 'alice-renamed');

    // top_repos_by_stars, top 3 and restricted to the modern day.
    const stars = (from: string, to: string, limit: number) =>
      [...countBy(ref.filter((e) => e.type === 'WatchEvent' && e.repoId !== null && e.dt >= from && e.dt <= to), (e) => String(e.repoId)).entries()]
        .map(([id, n]) => ({ repo_id: Number(id), stars: n }))
        .sort((a, b) => b.stars - a.stars || a.repo_id - b.repo_id)
        .slice(0, limit)
        .map((r, i) => ({ rnk: i + 1, repo_id: r.repo_id, repo_name: repoName.get(r.repo_id), stars: r.stars }));
    assert.deepEqual(await runNamedQuery(h.engine, 'top_repos_by_stars', { limit: 3 }), stars('0000', '9999', 3));
    const modernStars = await runNamedQuery(h.engine, 'top_repos_by_stars', { from: DT_MODERN, to: DT_MODERN, limit: 10 });
    assert.deepEqual(modernStars, stars(DT_MODERN, DT_MODERN, 10));
    assert.deepEqual(modernStars.map((r) => [r.repo_id, r.stars]), [[2002, 2], [1001, 1], [2003, 1]]);
    assert.equal((await runNamedQuery(h.engine, 'top_repos_by_stars', { from: DT_TIMELINE, to: DT_TIMELINE }))[0]!.repo_name, 'rails/rails');

    // Bad parameters are usage errors naming the parameter.
    await assert.rejects(() => runNamedQuery(h.engine, 'top_repos_by_stars', { from: '2025/10/07' }), /parameter from must be a date/);
    await assert.rejects(() => runNamedQuery(h.engine, 'top_repos_by_stars', { user: 'x' }), /takes no parameter "user"/);
    await assert.rejects(() => runNamedQuery(h.engine, 'nope'), /unknown query "nope"/);
  } finally {
    await h.close();
  }
});

test('named queries: parameters are bound per dialect, never spliced; lists expand to placeholders', () => {
  const pg = compileNamedQuery('events_by_repo_over_time', { repos: ["o/r'; DROP TABLE x; --", 'a/b'], from: '2025-01-01' }, DIALECTS.postgres);
  assert.ok(!pg.sql.includes('DROP TABLE'));
  assert.match(pg.sql, /CAST\(\$1 AS DATE\) AND CAST\(\$2 AS DATE\)/);
  assert.match(pg.sql, /IN \(\$4, \$5\)/);
  assert.deepEqual(pg.values, ['2025-01-01', '9999-12-31', 0, "o/r'; DROP TABLE x; --", 'a/b']);
  const trino = compileNamedQuery('top_repos_by_stars', {}, DIALECTS.trino);
  assert.ok(!/[$:]\w/.test(trino.sql.replace(/'[^']*'/g, '')));
  assert.deepEqual(trino.values, ['1970-01-01', '9999-12-31', 1, null, 10]);
});
