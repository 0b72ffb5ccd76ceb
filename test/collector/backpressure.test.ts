import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { batch, delivered, metricValue, post, startCollector, waitFor } from './helpers.ts';

test('backpressure: a full WAL answers 429 with Retry-After, memory stays bounded, and ingest resumes after delivery', async () => {
  const max = 64 * 1024;
  const t = await startCollector({ maxWalBytes: max, bufferSizeMiB: 1, bufferIntervalSeconds: 900, transform: 'none', walCompression: 'none' });
  try {
    const rec = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(10 * 1024) });
    let i = 0;
    let acked = 0;
    let throttled: Awaited<ReturnType<typeof post>> | undefined;
    while (!throttled && i < 100) {
      const r = await post(`${t.url}/firehose/PutRecordBatch`, batch([rec(i++)]), { key: t.key });
      if (r.status === 200) acked++;
      else throttled = r;
    }
    assert.ok(throttled, 'got throttled');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.__type, 'ServiceUnavailableException');
    const retryAfter = Number(throttled.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 30, `Retry-After ${retryAfter}`);
    assert.equal(acked, 6, 'six 10 KiB records fit in 64 KiB');
    assert.ok(t.collector.wal.bytes <= max);

    const m = await (await fetch(`${t.url}/metrics`)).text();
    assert.equal(metricValue(m, 'eventlake_collector_throttled_requests_total'), 1);
    assert.ok(metricValue(m, 'eventlake_collector_buffer_fill_ratio')! > 0.9);
    assert.equal(metricValue(m, 'eventlake_collector_buffer_bytes'), t.collector.wal.bytes);

    // Deliver the buffer (what the interval trigger would do): space frees up and producers get 200 again.
    t.collector.flush();
    await t.collector.idle();
    const again = await post(`${t.url}/firehose/PutRecordBatch`, batch([rec(i - 1)]), { key: t.key });
    assert.equal(again.status, 200);
    acked++;
    await t.stop();
    const lines = [...(await delivered(t, 'raw/github/')).values()].join('').trim().split('\n');
    assert.equal(lines.length, acked);
    assert.deepEqual(lines.map((l) => JSON.parse(l).i), [0, 1, 2, 3, 4, 5, 6]);
  } finally {
    await t.cleanup();
  }
});

test('backpressure: requests beyond maxInflightRequests get 429 before their body is read', async () => {
  const t = await startCollector({ maxInflightRequests: 1 });
  try {
    const body = JSON.stringify(batch(['{}']));
    const u = new URL(`${t.url}/firehose/PutRecordBatch`);
    // A producer that sends half its body and waits holds the only slot.
    const slow = http.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${t.key}` } });
    const slowRes = new Promise<number>((resolve, reject) => {
      slow.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      slow.on('error', reject);
    });
    slow.write(body.slice(0, 5));
    await waitFor(async () => {
      const r = await post(`${t.url}/firehose/PutRecordBatch`, batch(['{}']), { key: t.key });
      return r.status === 429 ? r : undefined;
    }, 'a 429 while the slot is taken').then((r) => {
      assert.equal(r.headers.get('retry-after'), '1');
      assert.match(r.body.message, /too many requests in flight \(1\)/);
    });
    slow.end(body.slice(5));
    assert.equal(await slowRes, 200);
    assert.equal((await post(`${t.url}/firehose/PutRecordBatch`, batch(['{}']), { key: t.key })).status, 200, 'the slot is free again');
  } finally {
    await t.cleanup();
  }
});
