// Shared contract suite: every Storage implementation must pass it. Call from a per-implementation test file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { listAll, type Storage } from '../../src/core/storage.ts';

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

export function storageContract(name: string, make: () => Promise<{ storage: Storage; cleanup: () => Promise<void> }>): void {
  const withStorage = (fn: (s: Storage) => Promise<void>) => async () => {
    const { storage, cleanup } = await make();
    try {
      await fn(storage);
    } finally {
      await cleanup();
    }
  };

  test(`${name}: put/get/head round-trip of buffers and strings`, withStorage(async (s) => {
    await s.put('raw/x/dt=2026-11-01/hour=00/a.json.gz', Buffer.from([1, 2, 3]));
    assert.deepEqual([...(await s.get('raw/x/dt=2026-11-01/hour=00/a.json.gz'))], [1, 2, 3]);
    await s.put('t/b.txt', 'héllo');
    assert.equal((await s.get('t/b.txt')).toString('utf8'), 'héllo');
    const h = await s.head('t/b.txt');
    assert.equal(h?.size, Buffer.byteLength('héllo'));
    assert.equal(await s.head('t/missing.txt'), undefined);
  }));

  test(`${name}: streaming put of a multi-chunk stream and ranged streaming read`, withStorage(async (s) => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const body = Readable.from((function* () { for (let i = 0; i < 40; i++) yield chunk; })());
    const r = await s.put('big/blob.bin', body);
    assert.equal(r.size, 40 * 64 * 1024);
    const all = await readAll(await s.read('big/blob.bin'));
    assert.equal(all.length, 40 * 64 * 1024);
    const part = await readAll(await s.read('big/blob.bin', { start: 10, end: 19 }));
    assert.equal(part.length, 10);
  }));

  test(`${name}: overwrite replaces the whole object`, withStorage(async (s) => {
    await s.put('k/v.txt', 'first-version-long');
    await s.put('k/v.txt', 'second');
    assert.equal((await s.get('k/v.txt')).toString(), 'second');
  }));

  test(`${name}: list is recursive, prefix-filtered and sorted`, withStorage(async (s) => {
    for (const k of ['p/dt=2026-11-02/b', 'p/dt=2026-11-01/a', 'p/dt=2026-11-01/c', 'q/z', 'pp/x']) await s.put(k, k);
    const keys = (await listAll(s, 'p/')).map((o) => o.key);
    assert.deepEqual(keys, ['p/dt=2026-11-01/a', 'p/dt=2026-11-01/c', 'p/dt=2026-11-02/b']);
    const partial = (await listAll(s, 'p/dt=2026-11-01')).map((o) => o.key);
    assert.deepEqual(partial, ['p/dt=2026-11-01/a', 'p/dt=2026-11-01/c']);
    assert.deepEqual(await listAll(s, 'nothing/'), []);
  }));

  test(`${name}: delete, deletePrefix and copy`, withStorage(async (s) => {
    await s.put('d/1', '1');
    await s.put('d/2', '2');
    await s.put('e/1', 'e');
    await s.copy('e/1', 'f/1');
    assert.equal((await s.get('f/1')).toString(), 'e');
    await s.delete('e/1');
    assert.equal(await s.head('e/1'), undefined);
    assert.equal(await s.deletePrefix('d/'), 2);
    assert.deepEqual(await listAll(s, 'd/'), []);
  }));

  test(`${name}: get of a missing key fails with NOT_FOUND`, withStorage(async (s) => {
    await assert.rejects(() => s.get('nope/none'), (e: Error & { code?: string }) => e.code === 'NOT_FOUND' && /nope\/none/.test(e.message));
  }));

  test(`${name}: unsafe keys are refused`, withStorage(async (s) => {
    for (const k of ['../escape', '/abs', 'a/../../b', 'a//b', 'a\\b']) {
      await assert.rejects(() => s.put(k, 'x'), /unsafe storage key/, k);
    }
  }));

  test(`${name}: a failed streaming put leaves no object behind`, withStorage(async (s) => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error('source broke'));
      },
    });
    await assert.rejects(() => s.put('fail/obj', failing), /source broke/);
    assert.equal(await s.head('fail/obj'), undefined);
    assert.deepEqual((await listAll(s, 'fail/')).map((o) => o.key), []);
  }));

  test(`${name}: listing while other writers put and delete under the prefix never fails and never shows temp files`, withStorage(async (s) => {
    // (Sizes of objects still being written are not checked: s3rver lists an object while writing it; S3 does not.)
    const stable = ['c/stable-0', 'c/stable-1', 'c/stable-2'];
    for (const k of stable) await s.put(k, `${k}-content`);
    let writing = true;
    const churn = (async () => {
      try {
        for (let i = 0; i < 60; i++) {
          await Promise.all([0, 1, 2].map(async (j) => {
            const k = `c/churn-${i}-${j}`;
            await s.put(k, Buffer.alloc(2048, 1));
            await s.delete(k);
          }));
        }
      } finally {
        writing = false;
      }
    })();
    let listings = 0;
    try {
      while (writing || listings === 0) {
        const got = await listAll(s, 'c/');
        listings++;
        for (const k of stable) assert.ok(got.some((o) => o.key === k && o.size === `${k}-content`.length), `listing ${listings} lacks ${k}`);
        for (const o of got) assert.match(o.key, /^c\/(stable-\d|churn-\d+-\d)$/, `listing ${listings} shows ${o.key}`);
      }
    } finally {
      await churn.catch(() => undefined); // never leave writers running into the cleanup
    }
    await churn;
    assert.deepEqual((await listAll(s, 'c/')).map((o) => o.key), stable);
  }));
}
