import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '../../src/storage/local/local-storage.ts';
import { storageContract } from '../contract/storage.contract.ts';

storageContract('local', async () => {
  const root = await mkdtemp(join(tmpdir(), 'el-local-'));
  return { storage: new LocalStorage({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
});

test('local: ifNotExists refuses to overwrite and leaves no temp files', async () => {
  const root = await mkdtemp(join(tmpdir(), 'el-local-'));
  try {
    const s = new LocalStorage({ root });
    await s.put('a/b', 'one', { ifNotExists: true });
    await assert.rejects(() => s.put('a/b', 'two', { ifNotExists: true }), /already exists/);
    assert.equal((await s.get('a/b')).toString(), 'one');
    assert.deepEqual(await readdir(join(root, 'a')), ['b']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
