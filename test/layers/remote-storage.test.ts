// The layers work through the Storage contract alone: with a storage that has no local paths (like S3), raw files
// are downloaded to temp, partitions are PUT, and query/aggregate read mirrored copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../src/core/storage.ts';
import { listAll } from '../../src/core/storage.ts';
import { MetaStore } from '../../src/lake/meta-store.ts';
import { runTransform } from '../../src/layers/transform.ts';
import { runAggregate } from '../../src/layers/aggregate.ts';
import { queryLake } from '../../src/layers/query.ts';
import { ampEvent, ndjson, putRaw, withLake } from './helpers.ts';

/** Wraps a storage and hides its filesystem paths, as an object store would. */
function withoutLocalPaths(inner: Storage): Storage {
  return {
    kind: 'remote-like',
    capabilities: { localPaths: false, list: true },
    put: (k, b, o) => inner.put(k, b, o),
    putFile: (k, f, o) => inner.putFile(k, f, o),
    get: (k) => inner.get(k),
    read: (k, r) => inner.read(k, r),
    head: (k) => inner.head(k),
    list: (p) => inner.list(p),
    delete: (k) => inner.delete(k),
    deletePrefix: (p) => inner.deletePrefix(p),
    copy: (a, b) => inner.copy(a, b),
    localPath: () => undefined,
    uri: (k) => `remote://${k}`,
  };
}

test('transform, aggregate and query through a storage without local paths', () =>
  withLake(async (base) => {
    const storage = withoutLocalPaths(base.storage);
    const ctx = { ...base, storage, meta: new MetaStore(storage, base.layout) };
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson([ampEvent(1), ampEvent(2), ampEvent(2), ampEvent(3)]) + '{broken');
    const [s] = await runTransform(ctx, {});
    assert.deepEqual(s!.result, { inputRecords: 5, rows: { events: 3 }, quarantined: 1, duplicates: 1 });
    await runAggregate(ctx, {});
    const keys = (await listAll(ctx.storage, '')).map((o) => o.key).filter((k) => !k.startsWith('_eventlake/'));
    assert.deepEqual(keys, [
      'aggregated/amplitude/daily_active_users/dt=2022-11-14/part-0.parquet',
      'aggregated/amplitude/daily_events/dt=2022-11-14/part-0.parquet',
      'cleaned/amplitude/events/dt=2022-11-14/part-0.parquet',
      'quarantine/amplitude/dt=2022-11-14/transform.ndjson.gz',
      'raw/amplitude/dt=2022-11-14/hour=10/a.json.gz',
    ]);
    const r = await queryLake(ctx, 'SELECT (SELECT count(*) FROM amplitude_events)::INT AS e, (SELECT event_count FROM amplitude_daily_active_users)::INT AS g');
    assert.deepEqual(r.rows, [{ e: 3, g: 3 }]);
  }));
