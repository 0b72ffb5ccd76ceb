import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeFile } from 'node:fs/promises';
import { startGithubDevServers } from '../../../src/sources/github/dev-servers.ts';
import { extractGhArchive, type GhArchiveManifest } from '../../../src/sources/github/gharchive.ts';
import { listAll } from '../../../src/core/storage.ts';
import { fastRetry, fixture2013, makeContext, sampleDir, tempDir } from './helpers.ts';

const HOURS = ['00', '01', '02', '03', '04', '05'];
const rawKey = (hh: string) => `raw/github/dt=2026-11-01/hour=${hh}/gharchive-2026-11-01-${hh}.json.gz`;
const sampleFile = (hh: string) => join(sampleDir, `2026-11-01-${Number(hh)}.json.gz`);

/** Newline count of the decompressed file, like `zcat f | wc -l`. */
function wcL(buf: Buffer): number {
  const text = gunzipSync(buf);
  let n = 0;
  for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) n++;
  return n;
}

test('gharchive: backfill lands the exact bytes with one manifest and checkpoint per hour', async () => {
  const t = await tempDir();
  const srv = await startGithubDevServers({ dataDir: sampleDir });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), { gharchive: { baseUrl: srv.gharchiveUrl, retry: fastRetry } });
    const r = await extractGhArchive(ctx, { start: '2026-11-01T00', end: '2026-11-01T05', concurrency: 3, quiet: true });
    assert.equal(r.landed, 6);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(r.missing, []);
    const raw = (await listAll(ctx.storage, 'raw/github/')).map((o) => o.key);
    assert.deepEqual(raw, HOURS.map(rawKey));
    // Requests used GH Archive's unpadded hour names.
    assert.deepEqual(srv.requests.map((q) => q.path).sort(), HOURS.map((h) => `/gharchive/2026-11-01-${Number(h)}.json.gz`).sort());
    for (const hh of HOURS) {
      const want = await readFile(sampleFile(hh));
      const got = await ctx.storage.get(rawKey(hh));
      assert.ok(got.equals(want), `raw hour ${hh} is byte-identical to the served file`);
      const m = (await ctx.meta.getManifest<GhArchiveManifest>('github', `gharchive-2026-11-01-${hh}`))!;
      assert.equal(m.key, rawKey(hh));
      assert.equal(m.bytes, want.length);
      assert.equal(m.sha256, createHash('sha256').update(want).digest('hex'));
      const lines = gunzipSync(want).toString('utf8').split('\n');
      const complete = lines.slice(0, -1);
      assert.equal(m.lines, wcL(want), `hour ${hh} line count equals zcat | wc -l`);
      assert.equal(m.firstCreatedAt, JSON.parse(complete[0]!).created_at);
      assert.equal(m.lastCreatedAt, JSON.parse(complete[complete.length - 1]!).created_at);
      assert.equal(m.truncatedLastLine, hh === '03', `truncated flag for hour ${hh}`);
      const cp = await ctx.meta.getCheckpoint('github', `gharchive-2026-11-01T${hh}`);
      assert.equal(cp?.status, 'done');
    }
    assert.equal(r.lines, 6 * 300 - 1);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('gharchive: 404 hours are recorded as gaps, not fatal', async () => {
  const t = await tempDir();
  const srv = await startGithubDevServers({ dataDir: sampleDir });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), { gharchive: { baseUrl: srv.gharchiveUrl, retry: fastRetry } });
    const r = await extractGhArchive(ctx, { start: '2026-11-01T04', end: '2026-11-01T07', quiet: true });
    assert.equal(r.landed, 2);
    assert.deepEqual(r.missing, ['2026-11-01T06', '2026-11-01T07']);
    assert.deepEqual(r.failed, []);
    const cp = await ctx.meta.getCheckpoint('github', 'gharchive-2026-11-01T06');
    assert.equal(cp?.status, 'empty');
    assert.equal(cp?.detail?.missing, true);
    assert.equal(await ctx.storage.head('raw/github/dt=2026-11-01/hour=06/gharchive-2026-11-01-06.json.gz'), undefined);
    // 404 is not retried.
    assert.equal(srv.requests.filter((q) => q.path.endsWith('2026-11-01-6.json.gz')).length, 1);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('gharchive: a corrupt gzip is retried, then quarantined with its reason, never landed', async () => {
  const t = await tempDir();
  const srv = await startGithubDevServers({ dataDir: sampleDir, faults: [{ target: '2026-11-01-2.json.gz', kind: 'corrupt' }] });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), { gharchive: { baseUrl: srv.gharchiveUrl, retry: fastRetry } });
    const r = await extractGhArchive(ctx, { start: '2026-11-01T01', end: '2026-11-01T03', quiet: true });
    assert.deepEqual(r.failed, ['2026-11-01T02']);
    assert.equal(r.landed, 2);
    const bad = r.hours.find((h) => h.hour === '2026-11-01T02')!;
    assert.equal(bad.status, 'quarantined');
    assert.equal(srv.requests.filter((q) => q.path.endsWith('2026-11-01-2.json.gz')).length, fastRetry.attempts);
    assert.equal(await ctx.storage.head(rawKey('02')), undefined, 'nothing half-landed in raw');
    const qKey = 'quarantine/github/dt=2026-11-01/hour=02/gharchive-2026-11-01-02.json.gz';
    const served = await readFile(sampleFile('02'));
    const kept = await ctx.storage.get(qKey);
    assert.equal(kept.length, served.length, 'the received bytes are kept whole');
    assert.ok(!kept.equals(served));
    const reason = JSON.parse((await ctx.storage.get(`${qKey}.reason.json`)).toString());
    assert.match(reason.reason, /corrupt gzip/);
    assert.equal(reason.attempts, fastRetry.attempts);
    assert.equal((await ctx.meta.getCheckpoint('github', 'gharchive-2026-11-01T02'))?.status, 'failed');
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('gharchive: a truncated gzip, 5xx and 429 are retried with backoff and then land', async () => {
  const t = await tempDir();
  const srv = await startGithubDevServers({
    dataDir: sampleDir,
    faults: [
      { target: '2026-11-01-0.json.gz', kind: 'truncate', times: 1 },
      { target: '2026-11-01-1.json.gz', kind: '503', times: 2 },
      { target: '2026-11-01-2.json.gz', kind: '429', times: 1, retryAfterSec: 0 },
      { target: '2026-11-01-3.json.gz', kind: '502', times: 1 },
    ],
  });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), { gharchive: { baseUrl: srv.gharchiveUrl, retry: fastRetry } });
    const r = await extractGhArchive(ctx, { start: '2026-11-01T00', end: '2026-11-01T03', quiet: true });
    assert.deepEqual(r.failed, []);
    assert.equal(r.landed, 4);
    const attempts = Object.fromEntries(r.hours.map((h) => [h.hour.slice(-2), h.status === 'landed' ? h.manifest.attempts : -1]));
    assert.deepEqual(attempts, { '00': 2, '01': 3, '02': 2, '03': 2 });
    for (const hh of ['00', '01', '02', '03']) assert.ok((await ctx.storage.get(rawKey(hh))).equals(await readFile(sampleFile(hh))));
    const statuses = srv.requests.filter((q) => q.path.endsWith('2026-11-01-1.json.gz')).map((q) => q.status);
    assert.deepEqual(statuses, [503, 503, 200]);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('gharchive: a rerun resumes from checkpoints and never duplicates; --force replaces the same keys', async () => {
  const t = await tempDir();
  const srv = await startGithubDevServers({ dataDir: sampleDir });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), { gharchive: { baseUrl: srv.gharchiveUrl, retry: fastRetry } });
    await extractGhArchive(ctx, { start: '2026-11-01T00', end: '2026-11-01T02', quiet: true });
    const before = srv.requests.length;
    const r = await extractGhArchive(ctx, { start: '2026-11-01T00', end: '2026-11-01T05', quiet: true });
    assert.equal(r.skipped, 3);
    assert.equal(r.landed, 3);
    assert.deepEqual(srv.requests.slice(before).map((q) => q.path).sort(), ['/gharchive/2026-11-01-3.json.gz', '/gharchive/2026-11-01-4.json.gz', '/gharchive/2026-11-01-5.json.gz']);
    const f = await extractGhArchive(ctx, { start: '2026-11-01T00', end: '2026-11-01T05', force: true, quiet: true });
    assert.equal(f.landed, 6);
    const raw = (await listAll(ctx.storage, 'raw/github/')).map((o) => o.key);
    assert.deepEqual(raw, HOURS.map(rawKey));
    assert.equal((await listAll(ctx.storage, '_eventlake/manifests/github/')).length, 6);
    // No temp files left behind anywhere in the lake or the scratch folder.
    const tmpLeft = existsSync(join(t.dir, 'tmp')) ? await readdir(join(t.dir, 'tmp')) : [];
    assert.deepEqual(tmpLeft, []);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('gharchive: the real 2013 sample lands with its line count and created_at range', async () => {
  const t = await tempDir();
  const data = join(t.dir, 'data');
  await mkdir(data);
  await copyFile(fixture2013, join(data, '2013-01-10-7.json.gz'));
  const srv = await startGithubDevServers({ dataDir: data });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), { gharchive: { baseUrl: srv.gharchiveUrl, retry: fastRetry } });
    const r = await extractGhArchive(ctx, { start: '2013-01-10T07', end: '2013-01-10T07', quiet: true });
    assert.equal(r.landed, 1);
    const m = (r.hours[0] as { manifest: GhArchiveManifest }).manifest;
    const expected = JSON.parse(await readFile(fixture2013.replace('.json.gz', '.expected.json'), 'utf8'));
    assert.equal(m.lines, expected.total_events);
    assert.equal(m.firstCreatedAt, '2013-01-10T07:58:30Z');
    assert.equal(m.truncatedLastLine, false);
    assert.equal(m.key, 'raw/github/dt=2013-01-10/hour=07/gharchive-2013-01-10-07.json.gz');
    assert.ok((await ctx.storage.get(m.key)).equals(await readFile(fixture2013)));
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('gharchive: mirrors are tried in turn when the primary fails', async () => {
  const t = await tempDir();
  const bad = await startGithubDevServers({ dataDir: sampleDir, faults: [{ target: '*', kind: '500' }] });
  const good = await startGithubDevServers({ dataDir: sampleDir });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), { gharchive: { baseUrl: bad.gharchiveUrl, mirrors: [good.gharchiveUrl], retry: fastRetry } });
    const r = await extractGhArchive(ctx, { start: '2026-11-01T00', end: '2026-11-01T01', quiet: true });
    assert.equal(r.landed, 2);
    assert.equal(bad.requests.length, 2);
    assert.equal(good.requests.length, 2);
  } finally {
    await bad.close();
    await good.close();
    await t.cleanup();
  }
});

test('gharchive: a pre-2015 timeline-format hour (actor string, repository, no id, zoned created_at) lands as is', async () => {
  const t = await tempDir();
  const data = join(t.dir, 'data');
  await mkdir(data);
  const lines = [
    { type: 'PushEvent', actor: 'defunkt', actor_attributes: { login: 'defunkt', type: 'User' }, repository: { id: 1861402, name: 'dotjs', owner: 'defunkt', url: 'https://github.com/defunkt/dotjs' }, public: true, created_at: '2012/02/11 10:38:16 -0800', payload: { shas: [['a1b2', 'x@y.z', 'msg', 'defunkt', true]], ref: 'refs/heads/master', size: 1 }, url: 'https://github.com/defunkt/dotjs/compare/a...b' },
    { type: 'WatchEvent', actor: 'mojombo', repository: { id: 1, name: 'grit', owner: 'mojombo' }, public: true, created_at: '2012/02/11 10:59:59 -0800', payload: { action: 'started' } },
  ];
  await writeFile(join(data, '2012-02-11-18.json.gz'), gzipSync(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
  const srv = await startGithubDevServers({ dataDir: data });
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), { gharchive: { baseUrl: srv.gharchiveUrl, retry: fastRetry } });
    const r = await extractGhArchive(ctx, { start: '2012-02-11T18', end: '2012-02-11T18', quiet: true });
    assert.equal(r.landed, 1);
    const m = (r.hours[0] as { manifest: GhArchiveManifest }).manifest;
    assert.equal(m.lines, 2);
    assert.equal(m.firstCreatedAt, '2012/02/11 10:38:16 -0800');
    assert.equal(m.lastCreatedAt, '2012/02/11 10:59:59 -0800');
    assert.equal(m.truncatedLastLine, false);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});
