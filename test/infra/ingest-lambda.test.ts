// The Step Functions ingest Lambda (infra/lambda/ingest-gharchive.ts) against a real HTTP server standing in for
// GH Archive and s3rver over HTTP standing in for S3, both on 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { S3Client, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createRequire } from 'node:module';
import { handler } from '../../infra/lambda/ingest-gharchive.ts';

// s3rver ships no types; loaded through require so the test does not depend on a declaration file.
const S3rver = createRequire(import.meta.url)('s3rver') as new (o: object) => { run(): Promise<AddressInfo>; close(): Promise<void> };
const BUCKET = 'lake';
// Larger than one multipart part (5 MiB), so the streaming multipart path is exercised; random = incompressible.
const HOUR5 = gzipSync(randomBytes(6 * 1024 * 1024), { level: 0 });
let hits = 0;
let http: Server;
let s3rver: { run(): Promise<AddressInfo>; close(): Promise<void> };
let dir: string;
let env: NodeJS.ProcessEnv;
let s3: S3Client;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eventlake-ingest-lambda-'));
  http = createServer((req, res) => {
    hits++;
    if (req.url === '/2026-01-01-5.json.gz') {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': HOUR5.length });
      res.end(HOUR5);
    } else if (req.url === '/2026-01-01-7.json.gz') {
      res.writeHead(503);
      res.end('busy');
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  const addr = await s3rver.run();
  const endpoint = `http://127.0.0.1:${addr.port}`;
  env = {
    LAKE_BUCKET: BUCKET,
    RAW_PREFIX: 'raw',
    GHARCHIVE_BASE_URL: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    S3_FORCE_PATH_STYLE: 'true',
  };
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
  s3 = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
});

after(async () => {
  s3.destroy();
  await s3rver.close();
  await new Promise((r) => http.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('lands an hour in raw/github/dt=/hour=/ byte for byte (hour zero-padded in the key, not in the URL)', async () => {
  const r = await handler({ dt: '2026-01-01', hour: 5 }, env);
  assert.deepEqual(r, { dt: '2026-01-01', hour: 5, status: 'landed', key: 'raw/github/dt=2026-01-01/hour=05/gharchive-2026-01-01-5.json.gz', bytes: HOUR5.length });
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: r.key }));
  const body = Buffer.from(await got.Body!.transformToByteArray());
  assert.ok(body.equals(HOUR5), 'exact bytes as received');
});

test('a rerun keeps the landed object and does not download again', async () => {
  const before = hits;
  const r = await handler({ dt: '2026-01-01', hour: 5 }, env);
  assert.equal(r.status, 'exists');
  assert.equal(hits, before, 'no second download');
});

test('a missing hour (404) is reported, not failed, and writes nothing', async () => {
  const r = await handler({ dt: '2026-01-01', hour: 6 }, env);
  assert.equal(r.status, 'missing');
  const list = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'raw/github/dt=2026-01-01/hour=06/' }));
  assert.equal(list.KeyCount ?? 0, 0);
});

test('other HTTP errors throw (so Step Functions retries and alerts) and leave no object', async () => {
  await assert.rejects(handler({ dt: '2026-01-01', hour: 7 }, env), /HTTP 503/);
  const list = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'raw/github/dt=2026-01-01/hour=07/' }));
  assert.equal(list.KeyCount ?? 0, 0);
});

test('bad input is rejected before any I/O', async () => {
  const before = hits;
  await assert.rejects(handler({ dt: '2026-13-01', hour: 1 }, env), /invalid dt/);
  await assert.rejects(handler({ dt: '2026-01-01', hour: 24 }, env), /invalid hour/);
  await assert.rejects(handler({ dt: '2026-01-01', hour: 1 }, { ...env, LAKE_BUCKET: '' }), /LAKE_BUCKET is not set/);
  assert.equal(hits, before);
});
