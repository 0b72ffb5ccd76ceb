import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync, promises as fs } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { extractAmplitude, startAmplitudeDevServer, type AmplitudeManifest, type Fault } from '../../../src/sources/amplitude/index.ts';
import { EventlakeError } from '../../../src/core/errors.ts';
import { ENV, NOW, SAMPLES, SAMPLE_FILES, API_KEY, SECRET_KEY, expectedKey, filesUnder, makeContext, noSleep, rawKeys, tempDir } from './helpers.ts';

const run = (ctx: Awaited<ReturnType<typeof makeContext>>, start = '2026-11-01T00', end = '2026-11-01T05', extra: Record<string, unknown> = {}) =>
  extractAmplitude(ctx, { start, end, env: ENV, now: NOW, sleep: noSleep, quiet: true, ...extra });

async function withServer(opts: Parameters<typeof startAmplitudeDevServer>[0] extends infer O ? Partial<O> : never, fn: (srv: Awaited<ReturnType<typeof startAmplitudeDevServer>>, root: string) => Promise<void>) {
  const srv = await startAmplitudeDevServer({ data: SAMPLES, apiKey: API_KEY, secretKey: SECRET_KEY, ...opts });
  const root = tempDir();
  try {
    await fn(srv, root);
  } finally {
    await srv.close();
    await fs.rm(root, { recursive: true, force: true });
  }
}

test('happy path: every entry lands byte for byte under dt/hour with a manifest and per-hour checkpoints', async () => {
  await withServer({}, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    const s = await run(ctx);
    assert.equal(s.exitCode, 0);
    assert.deepEqual(await rawKeys(ctx), SAMPLE_FILES.map(expectedKey).sort());
    for (const f of SAMPLE_FILES) {
      assert.ok((await ctx.storage.get(expectedKey(f))).equals(readFileSync(join(SAMPLES, f))), `${f} is byte-identical`);
    }
    const expectedEvents = SAMPLE_FILES.reduce((n, f) => n + gunzipSync(readFileSync(join(SAMPLES, f))).toString().split('\n').filter(Boolean).length, 0);
    assert.equal(s.events, expectedEvents);
    assert.equal(s.entries, SAMPLE_FILES.length);
    const m = await ctx.meta.getManifest<AmplitudeManifest>('amplitude', '2026-11-01T00..2026-11-01T05');
    assert.ok(m);
    assert.equal(m.status, 'done');
    assert.equal(m.totals.events, expectedEvents);
    assert.equal(m.totals.entries, SAMPLE_FILES.length);
    for (const e of m.entries) {
      const base = e.entry.split('/')[1]!;
      const bytes = readFileSync(join(SAMPLES, base));
      assert.equal(e.sha256, createHash('sha256').update(bytes).digest('hex'));
      assert.equal(e.bytes, bytes.length);
    }
    for (let h = 0; h < 6; h++) assert.equal((await ctx.meta.getCheckpoint('amplitude', `2026-11-01T0${h}`))?.status, 'done');
    assert.deepEqual(srv.requests.map((r) => [r.start, r.end, r.status]), [['20261101T00', '20261101T05', 200]]);
    // Nothing is left in the download folder.
    assert.deepEqual(await filesUnder(join(root, 'tmp')), []);
  });
});

test('404 "Raw data files were not found" is an empty window: recorded, not an error', async () => {
  await withServer({}, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    const s = await run(ctx, '2026-11-02T00', '2026-11-02T03');
    assert.equal(s.exitCode, 0);
    assert.equal(s.hours.empty, 4);
    assert.deepEqual(await rawKeys(ctx), []);
    assert.equal((await ctx.meta.getCheckpoint('amplitude', '2026-11-02T02'))?.status, 'empty');
    assert.equal(srv.requests[0]?.status, 404);
    // A rerun does not ask again.
    const again = await run(ctx, '2026-11-02T00', '2026-11-02T03');
    assert.equal(again.hours.skipped, 4);
    assert.equal(srv.requests.length, 1);
  });
});

for (const status of [400, 504] as const) {
  test(`HTTP ${status} splits the window in halves down to 1 h and lands everything`, async () => {
    await withServer({ tooLarge: { status, overHours: 1 } }, async (srv, root) => {
      const ctx = await makeContext(root, srv.url);
      const s = await run(ctx);
      assert.equal(s.exitCode, 0);
      assert.deepEqual(await rawKeys(ctx), SAMPLE_FILES.map(expectedKey).sort());
      const ok = srv.requests.filter((r) => r.status === 200);
      assert.equal(ok.length, 6);
      assert.ok(ok.every((r) => r.start === r.end), 'only 1-hour windows succeed');
      assert.ok(srv.requests.some((r) => r.status === status && r.start === '20261101T00' && r.end === '20261101T05'));
      assert.equal(s.windows.length, 6);
    });
  });
}

test('a 1-hour window that still answers 504 fails (cannot split further) and the run is partial', async () => {
  const fault = (r: { start: number; hours: number }): Fault | undefined => (r.start === Date.UTC(2026, 10, 1, 3) ? { kind: 'status', status: 504 } : undefined);
  await withServer({ fault }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url, { windowHours: 1 });
    const s = await run(ctx);
    assert.equal(s.exitCode, 4);
    assert.equal(s.hours.failed, 1);
    assert.equal(s.windows.find((w) => w.status === 'failed')?.error?.code, 'HTTP_504');
    assert.equal((await rawKeys(ctx)).length, 5);
  });
});

test('429 and 5xx are retried with backoff (Retry-After honoured) and then succeed', async () => {
  const fault = (r: { n: number }): Fault | undefined =>
    r.n === 1 ? { kind: 'status', status: 429, retryAfterSeconds: 0 } : r.n === 2 ? { kind: 'status', status: 503 } : r.n === 3 ? { kind: 'status', status: 500 } : undefined;
  await withServer({ fault }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url, { retry: { attempts: 4, baseMs: 1, maxMs: 5 } });
    const s = await run(ctx);
    assert.equal(s.exitCode, 0);
    assert.deepEqual(srv.requests.map((r) => r.status), [429, 503, 500, 200]);
    assert.equal((await rawKeys(ctx)).length, SAMPLE_FILES.length);
  });
});

test('retries are bounded: a window that keeps answering 500 fails after amplitude.retry.attempts', async () => {
  await withServer({ fail500First: 100 }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    const s = await run(ctx);
    assert.equal(s.exitCode, 1);
    assert.equal(srv.requests.length, 3);
    assert.equal(s.windows[0]?.error?.code, 'HTTP_500');
    assert.equal((await ctx.meta.getCheckpoint('amplitude', '2026-11-01T00'))?.status, 'failed');
  });
});

test('a timeout is retried', async () => {
  const fault = (r: { n: number }): Fault | undefined => (r.n === 1 ? { kind: 'delay', ms: 2000 } : undefined);
  await withServer({ fault }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url, { timeoutMs: 200 });
    const s = await run(ctx);
    assert.equal(s.exitCode, 0);
    assert.equal(srv.requests.length, 2);
  });
});

test('a download that stalls mid-body is abandoned after the idle timeout and retried', async () => {
  const fault = (r: { n: number }): Fault | undefined => (r.n === 1 ? { kind: 'stall', ms: 1500 } : undefined);
  await withServer({ fault }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url, { timeoutMs: 200 });
    const s = await run(ctx);
    assert.equal(s.exitCode, 0);
    assert.deepEqual(srv.requests.map((r) => r.fault ?? 'ok'), ['stall', 'ok']);
    assert.deepEqual(await rawKeys(ctx), SAMPLE_FILES.map(expectedKey).sort());
  });
});

test('403 stops with a clear auth/region error and never prints the keys', async () => {
  await withServer({ secretKey: 'the-other-secret' }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    await assert.rejects(run(ctx), (e: EventlakeError) => {
      assert.equal(e.code, 'AUTH');
      assert.match(e.message, /HTTP 403/);
      assert.match(e.message, /region/);
      const text = e.describe() + JSON.stringify(e.context);
      for (const s of [API_KEY, SECRET_KEY, Buffer.from(`${API_KEY}:${SECRET_KEY}`).toString('base64')]) assert.ok(!text.includes(s), 'no secret in the error');
      return true;
    });
    assert.equal(srv.requests.length, 1, 'auth errors are not retried');
    assert.deepEqual(await rawKeys(ctx), []);
  });
});

test('missing credentials name the environment variable', async () => {
  await withServer({}, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    await assert.rejects(run(ctx, undefined, undefined, { env: {} }), (e: EventlakeError) => e.code === 'AUTH' && /AMPLITUDE_API_KEY/.test(e.message));
  });
});

test('"200 but not a zip" is retried, and fails the window when it persists', async () => {
  await withServer({ notAZipFirst: 1 }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    const s = await run(ctx);
    assert.equal(s.exitCode, 0);
    assert.deepEqual(srv.requests.map((r) => r.fault ?? 'ok'), ['not-a-zip', 'ok']);
  });
  await withServer({ notAZipFirst: 100 }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    const s = await run(ctx);
    assert.equal(s.exitCode, 1);
    assert.equal(s.windows[0]?.error?.code, 'NOT_A_ZIP');
    assert.match(s.windows[0]!.error!.message, /not a zip/);
    assert.equal(srv.requests.length, 3);
    assert.deepEqual(await rawKeys(ctx), []);
  });
});

test('hours younger than minAgeHours are refused unless --force; forced young hours are re-fetched next run', async () => {
  await withServer({}, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    const now = Date.UTC(2026, 10, 1, 6, 30); // 05:00-06:00 ended 30 min ago
    await assert.rejects(run(ctx, '2026-11-01T00', '2026-11-01T05', { now }), (e: EventlakeError) => e.code === 'USAGE' && /2026-11-01T04/.test(e.message));
    assert.equal(srv.requests.length, 0);
    const s = await run(ctx, '2026-11-01T00', '2026-11-01T05', { now, force: true });
    assert.equal(s.exitCode, 0);
    const again = await run(ctx, '2026-11-01T00', '2026-11-01T05', { now: NOW });
    assert.equal(again.hours.skipped, 0, 'the young window is taken again');
    assert.deepEqual(await rawKeys(ctx), SAMPLE_FILES.map(expectedKey).sort());
  });
});

test('a rerun resumes only the failed hours and never duplicates', async () => {
  let broken = true;
  const h3 = Date.UTC(2026, 10, 1, 3);
  const fault = (r: { start: number; end: number }): Fault | undefined => (broken && r.start <= h3 && h3 <= r.end ? { kind: 'status', status: 500 } : undefined);
  await withServer({ fault }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url, { windowHours: 2, concurrency: 2 });
    const first = await run(ctx);
    assert.equal(first.exitCode, 4);
    assert.equal(first.hours.failed, 2);
    assert.equal((await rawKeys(ctx)).length, 4);
    broken = false;
    const before = srv.requests.length;
    const second = await run(ctx);
    assert.equal(second.exitCode, 0);
    assert.equal(second.hours.skipped, 4);
    assert.deepEqual(srv.requests.slice(before).map((r) => [r.start, r.end]), [['20261101T02', '20261101T03']]);
    assert.deepEqual(await rawKeys(ctx), SAMPLE_FILES.map(expectedKey).sort());
    const third = await run(ctx);
    assert.equal(third.hours.skipped, 6);
    assert.equal(srv.requests.length, before + 1);
  });
});

for (const kind of ['zip-slip', 'absolute', 'symlink', 'bomb', 'gzip-bomb'] as const) {
  test(`hostile zip (${kind}) is rejected with a clear error and writes nothing`, async () => {
    await withServer({ fault: () => ({ kind: 'hostile', entry: kind }) }, async (srv, root) => {
      const ctx = await makeContext(root, srv.url, { maxCompressionRatio: 100 });
      const s = await run(ctx);
      assert.equal(s.exitCode, 1);
      const err = s.windows[0]!.error!;
      const code = { 'zip-slip': 'ZIP_SLIP', absolute: 'ZIP_SLIP', symlink: 'ZIP_SYMLINK', bomb: 'ZIP_BOMB', 'gzip-bomb': 'ZIP_BOMB' }[kind];
      assert.equal(err.code, code);
      if (kind !== 'gzip-bomb') assert.match(err.message, /hostile zip .*nothing was written/);
      assert.equal(srv.requests.length, 1, 'hostile zips are not retried');
      assert.deepEqual(await rawKeys(ctx), []);
      // Nothing anywhere under the test root but checkpoints/manifests, and nothing outside it.
      assert.deepEqual((await filesUnder(root)).filter((f) => !f.startsWith('lake/_eventlake/')), []);
      assert.ok(!existsSync('/tmp/evil_abs.json.gz'));
      assert.ok(!existsSync(join(root, '..', 'evil_slip.json.gz')));
    });
  });
}

test('a corrupt (truncated) zip is retried, then fails naming the window and the zip', async () => {
  await withServer({ fault: () => ({ kind: 'corrupt-zip' }) }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    const s = await run(ctx);
    assert.equal(s.exitCode, 1);
    const w = s.windows[0]!;
    assert.equal(w.error?.code, 'ZIP_CORRUPT');
    assert.match(w.error!.message, /corrupt zip amplitude-20261101T00-20261101T05-\w+\.zip/);
    assert.equal(srv.requests.length, 3);
    assert.deepEqual(await rawKeys(ctx), []);
  });
});

test('a truncated gzip entry fails the window naming the entry, and nothing of the window stays landed', async () => {
  await withServer({ fault: () => ({ kind: 'truncated-gzip' }) }, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    const s = await run(ctx);
    assert.equal(s.exitCode, 1);
    const err = s.windows[0]!.error!;
    assert.equal(err.code, 'GZIP_CORRUPT');
    assert.match(err.message, /entry 187520\/187520_2026-11-01_5#0\.json\.gz/);
    assert.deepEqual(await rawKeys(ctx), [], 'the five good entries were rolled back');
  });
});

test('a rerun after a changed export replaces the hour: no stale files remain', async () => {
  await withServer({}, async (srv, root) => {
    const ctx = await makeContext(root, srv.url);
    // A file from an earlier landing that the export no longer has.
    await ctx.storage.put('raw/amplitude/dt=2026-11-01/hour=02/187520_2026-11-01_2_7.json.gz', Buffer.from('old'));
    const s = await run(ctx);
    assert.equal(s.exitCode, 0);
    assert.deepEqual(await rawKeys(ctx), SAMPLE_FILES.map(expectedKey).sort());
  });
});

test('region picks the US or EU Export API; amplitude.baseUrl overrides it', async () => {
  const { ExportClient } = await import('../../../src/sources/amplitude/index.ts');
  const base = { apiKeyEnv: 'AMPLITUDE_API_KEY', secretKeyEnv: 'AMPLITUDE_SECRET_KEY', timeoutMs: 1000, retry: { attempts: 1, baseMs: 1, maxMs: 1 }, tmpDir: '/tmp', env: ENV };
  assert.equal(new ExportClient({ ...base, region: 'us' }).exportUrl, 'https://amplitude.com/api/2/export');
  assert.equal(new ExportClient({ ...base, region: 'eu' }).exportUrl, 'https://analytics.eu.amplitude.com/api/2/export');
  assert.equal(new ExportClient({ ...base, region: 'eu', baseUrl: 'http://127.0.0.1:9/' }).exportUrl, 'http://127.0.0.1:9/api/2/export');
});
