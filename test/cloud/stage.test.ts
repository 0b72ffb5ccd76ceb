// `eventlake stage amplitude`: local lake -> local stage prefix, and local lake -> s3rver stage with PUT only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LocalStorage } from '../../src/storage/local/local-storage.ts';
import { LakeLayout } from '../../src/lake/layout.ts';
import { listAll, getJson } from '../../src/core/storage.ts';
import { lakeTarget, s3PutOnlyTarget, stageRaw, stageHistoryKey, type StageHistory } from '../../src/warehouse/snowflake/stage-uploader.ts';
import { startS3, S3RVER_CREDENTIALS } from './s3rver-harness.ts';
import { S3Api } from '../../src/cloud/aws/s3.ts';

const layout = new LakeLayout();
const KMS = 'alias/eventlake-stage';

async function seedLake(root: string): Promise<LocalStorage> {
  const s = new LocalStorage({ root, fsync: false });
  const files: [string, number, string][] = [
    ['2026-11-01', 0, '123_2026-11-01_0#0.json.gz'],
    ['2026-11-01', 13, '123_2026-11-01_13#0.json.gz'],
    ['2026-11-02', 5, '123_2026-11-02_5#0.json.gz'],
    ['2026-11-03', 7, '123_2026-11-03_7#1.json.gz'],
  ];
  for (const [dt, h, name] of files) {
    await s.put(layout.rawKey('amplitude', dt, h, name), gzipSync(JSON.stringify({ uuid: `${dt}-${h}`, event_type: 'x' }) + '\n'));
  }
  await s.put(layout.rawKey('amplitude', '2026-11-01', 0, 'notes.txt'), 'not a data file');
  await s.put(layout.rawKey('github', '2026-11-01', 0, 'gh.json.gz'), gzipSync('{}\n'));
  return s;
}

test('stage: local lake -> python-import/amplitude/ with load history; rerun skips, changed file is re-staged', async () => {
  const root = await mkdtemp(join(tmpdir(), 'el-stage-'));
  try {
    const lake = await seedLake(root);
    const r1 = await stageRaw(lake, layout, lakeTarget(lake, layout), { source: 'amplitude' });
    assert.equal(r1.staged.length, 4);
    const staged = (await listAll(lake, 'python-import/')).map((o) => o.key);
    assert.deepEqual(staged, [
      'python-import/amplitude/dt=2026-11-01/hour=00/123_2026-11-01_0#0.json.gz',
      'python-import/amplitude/dt=2026-11-01/hour=13/123_2026-11-01_13#0.json.gz',
      'python-import/amplitude/dt=2026-11-02/hour=05/123_2026-11-02_5#0.json.gz',
      'python-import/amplitude/dt=2026-11-03/hour=07/123_2026-11-03_7#1.json.gz',
    ]);
    // Exact bytes.
    const rawKey = layout.rawKey('amplitude', '2026-11-02', 5, '123_2026-11-02_5#0.json.gz');
    assert.ok((await lake.get(rawKey)).equals(await lake.get(staged[2]!)));
    const h = await getJson<StageHistory>(lake, stageHistoryKey(layout, 'amplitude', '2026-11-01'));
    assert.equal(Object.keys(h!.files).length, 2);

    const r2 = await stageRaw(lake, layout, lakeTarget(lake, layout), { source: 'amplitude' });
    assert.equal(r2.staged.length, 0);
    assert.equal(r2.skipped, 4);

    // A raw file that changed (re-extracted window) is staged again, to the same key.
    await lake.put(rawKey, gzipSync('{"uuid":"new"}\n{"uuid":"newer"}\n'));
    await utimes(lake.localPath(rawKey), new Date(), new Date(Date.now() + 5000));
    const r3 = await stageRaw(lake, layout, lakeTarget(lake, layout), { source: 'amplitude' });
    assert.deepEqual(r3.staged.map((f) => f.rawKey), [rawKey]);
    assert.ok((await lake.get(rawKey)).equals(await lake.get(staged[2]!)));
    assert.equal((await listAll(lake, 'python-import/')).length, 4, 'rerun replaced, did not duplicate');

    const r4 = await stageRaw(lake, layout, lakeTarget(lake, layout), { source: 'amplitude', force: true, from: '2026-11-03', to: '2026-11-03' });
    assert.deepEqual(r4.staged.map((f) => f.stagedKey), [staged[3]]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('stage: --from/--to limits the dt window; only one of them is a usage error', async () => {
  const root = await mkdtemp(join(tmpdir(), 'el-stage-'));
  try {
    const lake = await seedLake(root);
    const r = await stageRaw(lake, layout, lakeTarget(lake, layout), { from: '2026-11-02', to: '2026-11-03' });
    assert.deepEqual(r.staged.map((f) => f.stagedKey.split('/')[2]), ['dt=2026-11-02', 'dt=2026-11-03']);
    await assert.rejects(() => stageRaw(lake, layout, lakeTarget(lake, layout), { from: '2026-11-02' }), /both --from and --to/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('stage: to an S3 stage (s3rver) with PutObject only and SSE-KMS; rerun sends no request to the stage', async () => {
  const root = await mkdtemp(join(tmpdir(), 'el-stage-'));
  const s3 = await startS3('seed-bucket');
  const api = new S3Api({
    bucket: 'seed-bucket',
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    kmsKeyId: KMS,
    checksums: 'WHEN_REQUIRED',
    clientConfig: { credentials: S3RVER_CREDENTIALS },
  });
  try {
    const lake = await seedLake(root);
    const r1 = await stageRaw(lake, layout, s3PutOnlyTarget(api), {});
    assert.equal(r1.staged.length, 4);
    assert.equal(s3.requests.length, 4);
    for (const q of s3.requests) {
      assert.equal(q.method, 'PUT', 'only PutObject: no List/Get/Head on the stage');
      assert.match(decodeURIComponent(q.path), /^\/seed-bucket\/python-import\/amplitude\/dt=2026-11-0\d\/hour=\d\d\/123_/);
      assert.equal(q.headers['x-amz-server-side-encryption'], 'aws:kms');
      assert.equal(q.headers['x-amz-server-side-encryption-aws-kms-key-id'], KMS);
    }
    // Objects really are there (checked with a reader, not by the uploader).
    const reader = s3.storage();
    const keys = (await listAll(reader, 'python-import/amplitude/')).map((o) => o.key);
    assert.equal(keys.length, 4);
    assert.ok(keys.every((k) => k.endsWith('.json.gz')));
    s3.requests.length = 0;
    const r2 = await stageRaw(lake, layout, s3PutOnlyTarget(api), {});
    assert.equal(r2.skipped, 4);
    assert.equal(s3.requests.length, 0);
  } finally {
    api.destroy();
    await s3.close();
    await rm(root, { recursive: true, force: true });
  }
});

test('stage: a failed PUT names the file and the rerun command, and keeps history of what landed', async () => {
  const root = await mkdtemp(join(tmpdir(), 'el-stage-'));
  try {
    const lake = await seedLake(root);
    let n = 0;
    const flaky = {
      description: 'flaky://',
      async put(key: string, body: NodeJS.ReadableStream) {
        for await (const _ of body) void _;
        if (++n === 2) throw new Error('network down');
        await lake.put(key, 'x');
      },
    };
    await assert.rejects(
      () => stageRaw(lake, layout, flaky, {}),
      (e: Error & { next?: string }) => /123_2026-11-01_13#0\.json\.gz/.test(e.message) && /eventlake stage amplitude --from 2026-11-01/.test(e.next ?? ''),
    );
    const h = await getJson<StageHistory>(lake, stageHistoryKey(layout, 'amplitude', '2026-11-01'));
    assert.equal(Object.keys(h!.files).length, 1, 'the file that landed is recorded');
    const r = await stageRaw(lake, layout, flaky, {});
    assert.equal(r.skipped, 1);
    assert.equal(r.staged.length, 3);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('stage: CLI `eventlake stage amplitude` on a local lake', async () => {
  const root = await mkdtemp(join(tmpdir(), 'el-stage-'));
  try {
    await seedLake(join(root, 'lake'));
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--lake', join(root, 'lake'), ...args], {
        cwd: join(import.meta.dirname, '..', '..'),
        env: { ...process.env, EVENTLAKE_LOG_LEVEL: 'silent' },
      });
    const a = await run(['stage', 'amplitude', '--from', '2026-11-01', '--to', '2026-11-02']);
    assert.match(a.stdout, /staged 3 file\(s\).*skipped 0/);
    const b = await run(['stage', 'amplitude']);
    assert.match(b.stdout, /staged 1 file\(s\).*skipped 3/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
