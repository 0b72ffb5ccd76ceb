import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastBatchBody } from '../../src/collector/batch-body.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('fast batch reader returns what JSON.parse returns for the common shapes', () => {
  const bodies = [
    JSON.stringify({ DeliveryStreamName: 'github', Records: [{ Data: b64('{"a":1}') }, { Data: b64('x') }] }),
    JSON.stringify({ Records: [{ Data: b64('only') }] }),
    JSON.stringify({ Records: [] }),
    JSON.stringify({}),
    JSON.stringify({ Records: [{ Data: '' }], DeliveryStreamName: 'github' }),
    ` \n{ "DeliveryStreamName" : "github" ,\r\n\t"Records" : [ { "Data" : "${b64('ws')}" } , {"Data":"!!not base64"} ] } \n`,
  ];
  for (const body of bodies) assert.deepEqual(fastBatchBody(Buffer.from(body)), JSON.parse(body), body);
});

test('fast batch reader defers to JSON.parse for anything else', () => {
  const others = [
    '{"Records":[{"Data":"a\\u0041"}]}', // escapes
    '{"Record":{"Data":"eA=="}}', // PutRecord
    '{"Records":[{"Data":"eA==","PartitionKey":"k"}]}', // extra key
    '{"Records":[{"Data":1}]}', // not a string
    '{"Records":{"Data":"eA=="}}', // not an array
    '{"Records":[{"Data":"eA=="}],"Records":[]}', // duplicate Records
    '{"Records":[{"Data":"eA=="}]', // truncated
    '{"Records":[{"Data":"eA=="},]}', // trailing comma
    '{"Records":[{"Data":"eA=="}]} x', // trailing garbage
    '[]',
    '',
  ];
  for (const body of others) assert.equal(fastBatchBody(Buffer.from(body)), undefined, body);
});

test('a scanned batch decodes straight into one WAL entry: good records in order, bad ones fail alone', async () => {
  const { decodeBatchEntry, estimateEntryBytes } = await import('../../src/collector/batch-entry.ts');
  const { readSegment } = await import('../../src/collector/wal.ts');
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { scanBatchBody } = await import('../../src/collector/batch-body.ts');
  const datas = [b64('{"a":1}'), '!!!!', b64('x'.repeat(20)), b64('y'.repeat(7)).slice(0, -1), '', b64('z'.repeat(11)), 'ab=c', b64('w'.repeat(30))];
  const body = Buffer.from(JSON.stringify({ Records: datas.map((Data) => ({ Data })) }));
  const scan = scanBatchBody(body)!;
  assert.equal(scan.count, datas.length);
  const d = decodeBatchEntry(body, scan, 1_700_000_000_123, 25);
  assert.deepEqual(
    Array.from(d.failures!, (f) => f?.message),
    [undefined, 'Data is not valid base64', undefined, 'Data is not valid base64', undefined, undefined, 'Data is not valid base64', 'record is 30 bytes, over the 25-byte limit'],
  );
  assert.equal(d.count, 4);
  assert.ok(estimateEntryBytes(scan) >= d.entry!.length);
  const dir = await mkdtemp(join(tmpdir(), 'batch-entry-'));
  try {
    await writeFile(join(dir, 'seg.wal'), d.entry!);
    const entries = [];
    for await (const e of readSegment(join(dir, 'seg.wal'))) entries.push(e);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.arrivalMs, 1_700_000_000_123);
    assert.deepEqual(entries[0]!.records.map((r) => r.toString()), ['{"a":1}', 'x'.repeat(20), '', 'z'.repeat(11)]);
    assert.equal(d.rawBytes, 7 + 20 + 11);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // All good: no failures array; all bad: no entry.
  const ok = Buffer.from(JSON.stringify({ Records: [{ Data: b64('a') }, { Data: b64('bc') }] }));
  const dOk = decodeBatchEntry(ok, scanBatchBody(ok)!, 1, 100);
  assert.equal(dOk.failures, undefined);
  assert.equal(dOk.count, 2);
  const bad = Buffer.from(JSON.stringify({ Records: [{ Data: '!!!!' }] }));
  const dBad = decodeBatchEntry(bad, scanBatchBody(bad)!, 1, 100);
  assert.equal(dBad.entry, undefined);
  assert.equal(dBad.failures?.[0]?.message, 'Data is not valid base64');
});
