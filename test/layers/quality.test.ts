// Quality checks through the public API: rerun over the lake, freshness, a tampered partition, unknown source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTransform } from '../../src/layers/transform.ts';
import { runQuality, QualityError } from '../../src/layers/quality.ts';
import { EventlakeError } from '../../src/core/errors.ts';
import { withLayerEngine } from '../../src/layers/engine.ts';
import { sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { ampEvent, ndjson, putRaw, withLake } from './helpers.ts';

test('runQuality passes on a fresh transform and reports freshness as a warning by default', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson([ampEvent(1), ampEvent(2), ampEvent(2)]));
    await runTransform(ctx, {});
    const [r] = await runQuality(ctx, { source: 'amplitude' });
    assert.equal(r!.partitions.length, 1);
    assert.deepEqual(r!.partitions[0]!.checks.filter((c) => !c.ok), []);
    assert.ok(r!.partitions[0]!.checks.some((c) => c.check === 'row_count_reconciles' && c.detail === '3 in = 3'));
    assert.equal(r!.freshness?.ok, false);
    assert.equal(r!.freshness?.level, 'warn');
  }));

test('freshness is enforced when transform.quality.freshnessMaxHours is set', () =>
  withLake(
    async (ctx) => {
      await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson([ampEvent(1)]));
      await runTransform(ctx, {});
      await assert.rejects(runQuality(ctx, { source: 'amplitude' }), (e: unknown) => {
        assert.ok(e instanceof QualityError);
        assert.equal(e.exitCode, 5);
        assert.match(e.message, /freshness: newest server_upload_time 2022-11-14 10:00:01\.95\+00 is \d+\.\d h old \(max 24 h\)/);
        return true;
      });
    },
    { transform: { quality: { freshnessMaxHours: 24 } } },
  ));

test('a partition altered after promotion (duplicated rows) fails unique_key and row counts on rerun', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson([ampEvent(1), ampEvent(2)]));
    await runTransform(ctx, {});
    const part = ctx.storage.localPath('cleaned/amplitude/events/dt=2022-11-14/part-0.parquet');
    const copy = ctx.storage.localPath('cleaned/amplitude/events/dt=2022-11-14/part-1.parquet');
    await withLayerEngine(ctx, (e) => e.run(`COPY (SELECT * FROM read_parquet(${sqlString(part!)})) TO ${sqlString(copy!)} (FORMAT PARQUET)`));
    await assert.rejects(runQuality(ctx, { source: 'amplitude' }), (e: unknown) => {
      assert.ok(e instanceof QualityError);
      assert.match(e.message, /amplitude dt=2022-11-14: .*rows_written: model reported 2 rows but the Parquet files hold 4/);
      assert.match(e.message, /unique_key: 2 duplicate uuid values in dt=2022-11-14/);
      return true;
    });
  }));

test('rows arriving outside their dt fail arrival_within_dt', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson([ampEvent(1), ampEvent(2, { server_upload_time: '2022-11-20 10:00:00' })]));
    await assert.rejects(runTransform(ctx, {}), /arrival_within_dt: 1 of 2 rows have server_upload_time outside dt=2022-11-14/);
  }));

test('an unknown source is a usage error', () =>
  withLake(async (ctx) => {
    await assert.rejects(runTransform(ctx, { source: 'nope' }), (e: unknown) => e instanceof EventlakeError && e.code === 'USAGE' && /unknown source "nope"/.test(e.message));
  }));
