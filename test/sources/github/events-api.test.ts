import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startGithubDevServers } from '../../../src/sources/github/dev-servers.ts';
import { generateGithubEvents } from '../../../src/sources/github/generate.ts';
import { pollGithub, parseScope, nextLink } from '../../../src/sources/github/events-api.ts';
import { listAll, type Storage } from '../../../src/core/storage.ts';
import { EventlakeError } from '../../../src/core/errors.ts';
import { fastRetry, makeContext, tempDir } from './helpers.ts';

const H0 = Date.UTC(2026, 10, 1, 10);
const evs = (hourMs: number, count: number, seed: number, startId: number) => generateGithubEvents({ hourMs, count, seed, startId });

async function landedIds(storage: Storage): Promise<string[]> {
  const ids: string[] = [];
  for (const o of await listAll(storage, 'raw/github/')) {
    if (!o.key.split('/').pop()!.startsWith('api-')) continue;
    for (const line of gunzipSync(await storage.get(o.key)).toString('utf8').split('\n')) if (line) ids.push(JSON.parse(line).id);
  }
  return ids;
}

function apiConfig(apiUrl: string, extra: Record<string, unknown> = {}) {
  return { api: { baseUrl: apiUrl, retry: fastRetry, pollIntervalSec: 0, tokenEnv: 'EL_TEST_NO_TOKEN', ...extra } };
}

test('poll: follows Link pagination up to the 300-event window and lands every event once, by created_at hour', async () => {
  const t = await tempDir();
  const all = [...evs(H0, 200, 1, 50_000_000_000), ...evs(H0 + 3_600_000, 200, 2, 50_000_010_000)];
  const srv = await startGithubDevServers({ apiEvents: all });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), apiConfig(srv.apiUrl));
    const r = await pollGithub(ctx, { once: true });
    assert.equal(r.requests, 3);
    assert.deepEqual(srv.requests.map((q) => new URL(q.path, 'http://x').searchParams.get('page') ?? '1'), ['1', '2', '3']);
    assert.equal(r.fetched, 300);
    assert.equal(r.newEvents, 300);
    // The API serves newest first: the 300 newest are all of hour 11 and the newest 100 of hour 10.
    const newest = [...all].sort((a, b) => (a.created_at < b.created_at ? 1 : -1)).slice(0, 300);
    const ids = await landedIds(ctx.storage);
    assert.equal(ids.length, 300);
    assert.deepEqual(new Set(ids), new Set(newest.map((e) => e.id)));
    const keys = r.batches.map((k) => k.split('/').slice(0, 4).join('/'));
    assert.deepEqual(keys, ['raw/github/dt=2026-11-01/hour=10', 'raw/github/dt=2026-11-01/hour=11']);
    assert.equal((await listAll(ctx.storage, '_eventlake/manifests/github/api-')).length, 2);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('poll: sends If-None-Match; a 304 lands nothing and costs no quota', async () => {
  const t = await tempDir();
  const srv = await startGithubDevServers({ apiEvents: evs(H0, 50, 3, 51_000_000_000) });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), apiConfig(srv.apiUrl));
    await pollGithub(ctx, { once: true });
    const r2 = await pollGithub(ctx, { once: true });
    assert.equal(r2.notModified, 1);
    assert.equal(r2.newEvents, 0);
    assert.deepEqual(srv.requests.map((q) => q.status), [200, 304]);
    assert.ok(srv.requests[1]!.headers['if-none-match']);
    assert.equal(srv.requests[1]!.headers['if-none-match'], srv.requests[0] && (await etagOf(srv.apiUrl)));
    assert.equal(srv.requests[1]!.response['x-ratelimit-remaining'], srv.requests[0]!.response['x-ratelimit-remaining'], '304 used no quota');
    assert.equal((await landedIds(ctx.storage)).length, 50);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

async function etagOf(apiUrl: string): Promise<string | null> {
  const res = await fetch(`${apiUrl}/events?per_page=100`);
  await res.arrayBuffer();
  return res.headers.get('etag');
}

test('poll: already seen ids are skipped (persisted state) and paging stops once caught up', async () => {
  const t = await tempDir();
  const first = evs(H0, 150, 4, 52_000_000_000);
  const srv = await startGithubDevServers({ apiEvents: first });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), apiConfig(srv.apiUrl, { perPage: 50 }));
    const r1 = await pollGithub(ctx, { once: true });
    assert.equal(r1.newEvents, 150);
    const later = evs(H0 + 3_600_000, 20, 5, 52_000_100_000);
    srv.addEvents(later);
    const before = srv.requests.length;
    const ctx2 = await makeContext(join(t.dir, 'lake'), apiConfig(srv.apiUrl, { perPage: 50 })); // a new process: state from the lake
    const r2 = await pollGithub(ctx2, { once: true });
    assert.equal(r2.newEvents, 20);
    assert.equal(r2.duplicates, 30);
    assert.equal(srv.requests.length - before, 1, 'caught up on page 1: no further pages requested');
    const ids = await landedIds(ctx.storage);
    assert.equal(ids.length, 170);
    assert.equal(new Set(ids).size, 170, 'no duplicate ids across batches');
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('poll: when the quota is used up it sleeps until x-ratelimit-reset (after a 200 or a 403)', async () => {
  const t = await tempDir();
  const srv = await startGithubDevServers({ apiEvents: evs(H0, 20, 6, 53_000_000_000), pollIntervalSec: 0 });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), apiConfig(srv.apiUrl));
    // Remaining 1: the first poll uses it up; the second must wait for the reset.
    const reset1 = Math.ceil(Date.now() / 1000) + 1;
    srv.setRateLimit(1, reset1);
    srv.addEvents(evs(H0 + 60_000, 5, 7, 53_000_500_000));
    const r = await pollGithub(ctx, { maxPolls: 2 });
    assert.equal(r.polls, 2);
    assert.ok(r.rateLimitWaitMs > 0);
    assert.ok(srv.requests[1]!.at >= reset1 * 1000, 'second request only after the reset');
    // Quota already 0: the server answers 403 with x-ratelimit-remaining 0; the poller waits and asks again.
    const reset2 = Math.ceil(Date.now() / 1000) + 1;
    srv.setRateLimit(0, reset2);
    srv.addEvents(evs(H0 + 120_000, 5, 8, 53_000_900_000));
    const n = srv.requests.length;
    const r2 = await pollGithub(ctx, { once: true });
    assert.equal(r2.newEvents, 5);
    assert.deepEqual(srv.requests.slice(n).map((q) => q.status), [403, 200]);
    assert.ok(srv.requests[n + 1]!.at >= reset2 * 1000);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('poll: X-Poll-Interval is honoured between polls', async () => {
  const t = await tempDir();
  const srv = await startGithubDevServers({ apiEvents: evs(H0, 10, 9, 54_000_000_000), pollIntervalSec: 1 });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), apiConfig(srv.apiUrl));
    const r = await pollGithub(ctx, { maxPolls: 2 });
    assert.equal(r.polls, 2);
    assert.equal(srv.requests.length, 2);
    assert.ok(srv.requests[1]!.at - srv.requests[0]!.at >= 1000, 'waited at least the X-Poll-Interval');
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('poll: 5xx is retried; 401/404 are clear errors that never show the token', async () => {
  const t = await tempDir();
  const token = 'ghp_RightToken0123456789';
  const wrong = 'ghp_WrongToken9876543210';
  const srv = await startGithubDevServers({ apiEvents: evs(H0, 10, 10, 55_000_000_000), token, faults: [{ target: 'api', kind: '503', times: 1 }] });
  try {
    process.env.EL_TEST_GH_TOKEN = token;
    const ctx = await makeContext(join(t.dir, 'lake'), apiConfig(srv.apiUrl, { tokenEnv: 'EL_TEST_GH_TOKEN' }));
    const r = await pollGithub(ctx, { once: true });
    assert.equal(r.newEvents, 10);
    assert.deepEqual(srv.requests.map((q) => q.status), [503, 200]);
    assert.equal(srv.requests[1]!.headers.authorization, `Bearer ${token}`);

    process.env.EL_TEST_GH_TOKEN = wrong;
    const ctx2 = await makeContext(join(t.dir, 'lake2'), apiConfig(srv.apiUrl, { tokenEnv: 'EL_TEST_GH_TOKEN' }));
    const err = await pollGithub(ctx2, { once: true }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof EventlakeError);
    assert.equal(err.code, 'AUTH');
    assert.match(err.describe(), /EL_TEST_GH_TOKEN/);
    assert.ok(!err.describe().includes(wrong) && !JSON.stringify(err).includes(wrong));

    process.env.EL_TEST_GH_TOKEN = token;
    const err404 = await pollGithub(ctx, { once: true, scope: 'repos/nobody/nothing' }).then(() => undefined, (e: unknown) => e);
    assert.ok(err404 instanceof EventlakeError);
    assert.equal(err404.code, 'NOT_FOUND');
  } finally {
    delete process.env.EL_TEST_GH_TOKEN;
    await srv.close();
    await t.cleanup();
  }
});

test('poll: scopes map to the Events API paths; Link parsing', () => {
  assert.equal(parseScope('events').path, '/events');
  assert.equal(parseScope('public').path, '/events');
  assert.equal(parseScope('repos/duckdb/duckdb').path, '/repos/duckdb/duckdb/events');
  assert.equal(parseScope('orgs/apache').path, '/orgs/apache/events');
  assert.equal(parseScope('users/octocat').slug, 'users_octocat');
  assert.throws(() => parseScope('repos/x'), /invalid scope/);
  assert.throws(() => parseScope('../etc'), /invalid scope/);
  assert.equal(nextLink('<https://api.github.com/events?page=2>; rel="next", <https://api.github.com/events?page=3>; rel="last"'), 'https://api.github.com/events?page=2');
  assert.equal(nextLink('<https://api.github.com/events?page=1>; rel="first"'), undefined);
});

test('poll: an org scope only lands that org\'s events', async () => {
  const t = await tempDir();
  const all = evs(H0, 200, 11, 56_000_000_000);
  const srv = await startGithubDevServers({ apiEvents: all });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), apiConfig(srv.apiUrl));
    const r = await pollGithub(ctx, { once: true, scope: 'orgs/duckdb' });
    const want = all.filter((e) => e.org?.login === 'duckdb').map((e) => e.id);
    assert.ok(want.length > 0);
    assert.equal(r.newEvents, want.length);
    assert.deepEqual(new Set(await landedIds(ctx.storage)), new Set(want));
    assert.match(srv.requests[0]!.path, /^\/api\/orgs\/duckdb\/events\?per_page=100$/);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('poll: the real 2013 events (ids out of order) land once, in their own hour', async () => {
  const { readFile } = await import('node:fs/promises');
  const { fixture2013 } = await import('./helpers.ts');
  const real = gunzipSync(await readFile(fixture2013)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const t = await tempDir();
  const srv = await startGithubDevServers({ apiEvents: real });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), apiConfig(srv.apiUrl, { perPage: 10 }));
    const r = await pollGithub(ctx, { once: true });
    assert.equal(r.requests, 3);
    assert.equal(r.newEvents, 30);
    assert.deepEqual(r.batches.map((k) => k.split('/').slice(0, 4).join('/')), ['raw/github/dt=2013-01-10/hour=07']);
    assert.deepEqual(new Set(await landedIds(ctx.storage)), new Set(real.map((e) => e.id)));
    const again = await pollGithub(ctx, { once: true });
    assert.equal(again.newEvents, 0);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});
