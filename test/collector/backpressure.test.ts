import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batch, delivered, metricValue, post, startCollector } from './helpers.ts';

test('backpressure: a full WAL answers 429 with Retry-After, memory stays bounded, and ingest resumes after delivery', async () => {
  const max = 64 * 1024;
  const t = await startCollector({ maxWalBytes: max, bufferSizeMiB: 1, bufferIntervalSeconds: 900, transform: 'none' });
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
