// Windows download concurrently but land one at a time (a landing already inflates entries in parallel; two at once
// would only add memory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { extractAmplitude, startAmplitudeDevServer } from '../../../src/sources/amplitude/index.ts';
import type { Storage } from '../../../src/core/storage.ts';
import { ENV, NOW, SAMPLES, SAMPLE_FILES, API_KEY, SECRET_KEY, expectedKey, makeContext, noSleep, rawKeys, tempDir } from './helpers.ts';

test('with --concurrency 3, 1-hour windows never land at the same time, and every entry lands byte for byte', async () => {
  const srv = await startAmplitudeDevServer({ data: SAMPLES, apiKey: API_KEY, secretKey: SECRET_KEY });
  const root = tempDir();
  try {
    const ctx = await makeContext(root, srv.url, { windowHours: 1 });
    const inner = ctx.storage;
    const landing = new Map<string, number>(); // window (hour) -> writes in flight
    let most = 0;
    // A slow storage, so that overlapping landings would be seen.
    const storage: Storage = {
      kind: inner.kind,
      capabilities: inner.capabilities,
      async put(key, body, opts) {
        const hour = /hour=\d+/.exec(key)?.[0] ?? key;
        landing.set(hour, (landing.get(hour) ?? 0) + 1);
        most = Math.max(most, landing.size);
        try {
          await sleep(30);
          return await inner.put(key, body, opts);
        } finally {
          const n = landing.get(hour)! - 1;
          if (n) landing.set(hour, n);
          else landing.delete(hour);
        }
      },
      putFile: (key, file, opts) => inner.putFile(key, file, opts),
      get: (key) => inner.get(key),
      read: (key, range) => inner.read(key, range),
      head: (key) => inner.head(key),
      list: (prefix) => inner.list(prefix),
      delete: (key) => inner.delete(key),
      deletePrefix: (prefix) => inner.deletePrefix(prefix),
      copy: (from, to) => inner.copy(from, to),
      localPath: (key) => inner.localPath(key),
      uri: (key) => inner.uri(key),
    };
    const s = await extractAmplitude({ ...ctx, storage }, { start: '2026-11-01T00', end: '2026-11-01T05', env: ENV, now: NOW, sleep: noSleep, quiet: true, concurrency: 3 });
    assert.equal(s.exitCode, 0, JSON.stringify(s.windows.map((w) => w.error)));
    assert.equal(s.windows.length, 6);
    assert.equal(most, 1, 'windows landed at the same time');
    assert.deepEqual(await rawKeys(ctx), SAMPLE_FILES.map(expectedKey).sort());
    for (const f of SAMPLE_FILES) assert.ok((await inner.get(expectedKey(f))).equals(readFileSync(join(SAMPLES, f))), f);
  } finally {
    await srv.close();
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('a storage write that fails after its entry was verified fails the window, and no file of it stays landed', async () => {
  const srv = await startAmplitudeDevServer({ data: SAMPLES, apiKey: API_KEY, secretKey: SECRET_KEY });
  const root = tempDir();
  try {
    const ctx = await makeContext(root, srv.url, { windowHours: 6 });
    const inner = ctx.storage;
    const failing = expectedKey(SAMPLE_FILES[1]!);
    let failedAfterVerify = false;
    // Consumes the whole body (so the entry's bytes verify and its slot moves on), then fails like a full disk would
    // at fsync/rename time, later than the other entries' commits still in flight.
    const storage: Storage = Object.assign(Object.create(Object.getPrototypeOf(inner)) as Storage, inner, {
      async put(key: string, body: Parameters<Storage['put']>[1], opts?: Parameters<Storage['put']>[2]) {
        if (key !== failing) {
          await sleep(20);
          return inner.put(key, body, opts);
        }
        for await (const _ of body as AsyncIterable<Buffer>);
        await sleep(60);
        failedAfterVerify = true;
        throw Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' });
      },
    });
    const s = await extractAmplitude({ ...ctx, storage }, { start: '2026-11-01T00', end: '2026-11-01T05', env: ENV, now: NOW, sleep: noSleep, quiet: true });
    assert.ok(failedAfterVerify);
    assert.equal(s.windows.length, 1);
    assert.equal(s.windows[0]!.status, 'failed');
    assert.match(s.windows[0]!.error!.message, new RegExp(`entry ${SAMPLE_FILES[1]!.split('_')[0]}/${SAMPLE_FILES[1]!.replace('.', '\\.')}.*ENOSPC`));
    assert.deepEqual(await rawKeys(ctx), []);
  } finally {
    await srv.close();
    await fs.rm(root, { recursive: true, force: true });
  }
});
