import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { addProducer, removeProducer } from '../../src/collector/auth.ts';
import { b64, batch, fixtureLines, post, startCollector, waitFor, type TestServer } from './helpers.ts';

let t: TestServer;
before(async () => {
  t = await startCollector();
});
after(async () => {
  await t.cleanup();
});

test('PutRecordBatch: per-record failures come back in a 200 aligned with the input', async () => {
  const big = Buffer.alloc(1000 * 1024 + 1, 0x61);
  const body = {
    DeliveryStreamName: 'github',
    Records: [{ Data: b64(fixtureLines[0]!) }, { Data: 'not base64!' }, { Data: b64(big) }, {}, { Data: b64(fixtureLines[1]!) }, { Data: b64(Buffer.alloc(1000 * 1024, 0x62)) }],
  };
  const r = await post(`${t.url}/firehose/PutRecordBatch`, body, { key: t.key });
  assert.equal(r.status, 200);
  assert.equal(r.body.FailedPutCount, 3);
  assert.equal(r.body.Encrypted, false);
  const rr = r.body.RequestResponses as { RecordId?: string; ErrorCode?: string; ErrorMessage?: string }[];
  assert.equal(rr.length, 6);
  assert.deepEqual(rr.map((x) => x.ErrorCode ?? 'ok'), ['ok', 'InvalidArgumentException', 'InvalidArgumentException', 'InvalidArgumentException', 'ok', 'ok']);
  assert.match(rr[1]!.ErrorMessage!, /base64/);
  assert.match(rr[2]!.ErrorMessage!, /1024001 bytes, over the 1024000-byte limit/);
  assert.match(rr[3]!.ErrorMessage!, /no Data/);
  const ids = [rr[0]!.RecordId, rr[4]!.RecordId, rr[5]!.RecordId];
  assert.equal(new Set(ids).size, 3);
  for (const id of ids) assert.match(id!, new RegExp(`^${t.collector.walId}-\\d+-\\d+-\\d+$`));
});

test('PutRecordBatch: whole-call limits (501 records, > 4 MiB, malformed JSON, empty, wrong stream) are 4xx', async () => {
  const r501 = await post(`${t.url}/firehose/PutRecordBatch`, batch(Array.from({ length: 501 }, () => 'x')), { key: t.key });
  assert.equal(r501.status, 400);
  assert.match(r501.body.message, /501 records in one call, over the limit of 500/);
  assert.equal((await post(`${t.url}/firehose/PutRecordBatch`, batch(Array.from({ length: 500 }, () => '{}')), { key: t.key })).status, 200);

  // 5 x 900 KiB: every record is within limits, the call is not (4.4 MiB of data).
  const r413 = await post(`${t.url}/firehose/PutRecordBatch`, batch(Array.from({ length: 5 }, () => Buffer.alloc(900 * 1024, 0x63))), { key: t.key });
  assert.equal(r413.status, 413);
  assert.equal(r413.body.__type, 'InvalidArgumentException');
  // A body far over the limit is refused while reading it.
  const huge = await post(`${t.url}/firehose/PutRecordBatch`, batch(Array.from({ length: 8 }, () => Buffer.alloc(1000 * 1024, 0x63))), { key: t.key });
  assert.equal(huge.status, 413);

  const bad = await post(`${t.url}/firehose/PutRecordBatch`, '{"Records": [', { key: t.key });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.__type, 'InvalidArgumentException');
  const empty = await post(`${t.url}/firehose/PutRecordBatch`, { Records: [] }, { key: t.key });
  assert.equal(empty.status, 400);
  const wrong = await post(`${t.url}/firehose/PutRecordBatch`, { DeliveryStreamName: 'other', ...batch(['x']) }, { key: t.key });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.__type, 'ResourceNotFoundException');
  const ct = await post(`${t.url}/firehose/PutRecordBatch`, 'Records=1', { key: t.key, contentType: 'application/x-www-form-urlencoded' });
  assert.equal(ct.status, 415);
});

test('PutRecord and the X-Amz-Target form (AWS JSON 1.1) work like Firehose', async () => {
  const one = await post(`${t.url}/firehose/PutRecord`, { DeliveryStreamName: 'github', Record: { Data: b64(fixtureLines[2]!) } }, { key: t.key });
  assert.equal(one.status, 200);
  assert.match(one.body.RecordId, /^[0-9a-f]{8}-\d+-\d+-0$/);
  const badOne = await post(`${t.url}/firehose/PutRecord`, { Record: { Data: '%%%%' } }, { key: t.key });
  assert.equal(badOne.status, 400);
  const amz = await post(`${t.url}/firehose`, batch([fixtureLines[3]!, fixtureLines[4]!]), {
    key: t.key,
    contentType: 'application/x-amz-json-1.1',
    headers: { 'x-amz-target': 'Firehose_20150804.PutRecordBatch' },
  });
  assert.equal(amz.status, 200);
  assert.equal(amz.body.FailedPutCount, 0);
  assert.equal(amz.body.RequestResponses.length, 2);
  const unknown = await post(`${t.url}/firehose`, {}, { key: t.key, contentType: 'application/x-amz-json-1.1', headers: { 'x-amz-target': 'Firehose_20150804.DeleteDeliveryStream' } });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.__type, 'UnknownOperationException');
});

test('POST /v1/events takes NDJSON: blank lines skipped, oversized lines fail alone', async () => {
  const body = `${fixtureLines[5]}\n\n${'x'.repeat(1000 * 1024 + 10)}\r\n${fixtureLines[6]}\n`;
  const r = await post(`${t.url}/v1/events`, body, { key: t.key, contentType: 'application/x-ndjson' });
  assert.equal(r.status, 200);
  assert.equal(r.body.accepted, 2);
  assert.equal(r.body.failed, 1);
  assert.equal(r.body.failures[0].line, 3);
  assert.equal(r.body.recordIds.length, 2);
  const none = await post(`${t.url}/v1/events`, '\n\n', { key: t.key, contentType: 'application/x-ndjson' });
  assert.equal(none.status, 400);
});

test('auth: missing or unknown keys get 401; added and removed producers apply without restart', async () => {
  const missing = await post(`${t.url}/firehose/PutRecordBatch`, batch(['x']));
  assert.equal(missing.status, 401);
  assert.equal(missing.body.__type, 'AccessDeniedException');
  assert.match(missing.headers.get('www-authenticate') ?? '', /Bearer/);
  const wrong = await post(`${t.url}/firehose/PutRecordBatch`, batch(['x']), { key: 'elk_not-a-real-key' });
  assert.equal(wrong.status, 401);
  assert.match(wrong.body.message, /unknown API key/);
  // Firehose HTTP-endpoint header works too.
  const viaHeader = await post(`${t.url}/firehose/PutRecordBatch`, batch(['{}']), { headers: { 'x-amz-firehose-access-key': t.key } });
  assert.equal(viaHeader.status, 200);

  const { key } = await addProducer(t.ctx.storage, t.ctx.layout, 'late-joiner');
  await waitFor(async () => (await post(`${t.url}/firehose/PutRecordBatch`, batch(['{}']), { key })).status === 200, 'new producer key accepted');
  // The store keeps hashes only.
  const stored = (await t.ctx.storage.get('_eventlake/state/collector/producers.json')).toString();
  assert.ok(!stored.includes(key));
  assert.ok(!stored.includes(t.key));
  assert.equal(await removeProducer(t.ctx.storage, t.ctx.layout, 'late-joiner'), true);
  await waitFor(async () => (await post(`${t.url}/firehose/PutRecordBatch`, batch(['{}']), { key })).status === 401, 'removed producer key refused');
});

test('producer keys from the environment (EVENTLAKE_COLLECTOR_KEY__<NAME>) are accepted', async () => {
  process.env.EVENTLAKE_COLLECTOR_KEY__CI = 'elk_from-the-environment-0123456789';
  const s = await startCollector();
  try {
    const r = await post(`${s.url}/firehose/PutRecordBatch`, batch(['{}']), { key: 'elk_from-the-environment-0123456789' });
    assert.equal(r.status, 200);
    const text = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(text, /eventlake_collector_records_in_total\{producer="ci"\} 1/);
  } finally {
    delete process.env.EVENTLAKE_COLLECTOR_KEY__CI;
    await s.cleanup();
  }
});

test('PutRecordBatch bodies sent in chunks without Content-Length (larger than the first pooled buffer) are read whole', async () => {
  const http = await import('node:http');
  const payloads = Array.from({ length: 500 }, (_, i) => fixtureLines[i % fixtureLines.length]!);
  const body = Buffer.from(JSON.stringify(batch(payloads)));
  assert.ok(body.length > 1024 * 1024); // grows past the initial 1 MiB buffer
  const u = new URL(`${t.url}/firehose/PutRecordBatch`);
  const res = await new Promise<{ status: number; json: { FailedPutCount: number; RequestResponses: { RecordId?: string }[] } }>((resolve, reject) => {
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` } }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (d) => (text += d));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (let p = 0; p < body.length; p += 100_000) req.write(body.subarray(p, p + 100_000)); // chunked transfer encoding
    req.end();
  });
  assert.equal(res.status, 200);
  assert.equal(res.json.FailedPutCount, 0);
  assert.equal(res.json.RequestResponses.length, 500);
  assert.equal(new Set(res.json.RequestResponses.map((x) => x.RecordId)).size, 500);
});
