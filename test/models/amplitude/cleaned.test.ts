// Golden tests of raw → cleaned for Amplitude export files in the real format (gzip of NDJSON per export entry).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { listAll } from '../../../src/core/storage.ts';
import { runTransform } from '../../../src/layers/transform.ts';
import { QualityError } from '../../../src/layers/quality.ts';
import { withLayerEngine } from '../../../src/layers/engine.ts';
import { sqlString } from '../../../src/engines/duckdb/duckdb-engine.ts';
import type { Context } from '../../../src/cli/context.ts';
import { ampEvent, ndjson, putRaw, withLake } from '../../layers/helpers.ts';

const DT = '2022-11-14';

async function cleanedRows(ctx: Context, sql: (from: string) => string) {
  const glob = ctx.storage.localPath(`cleaned/amplitude/events/dt=${DT}`) + '/*.parquet';
  return withLayerEngine(ctx, (e) => e.all(sql(`read_parquet(${sqlString(glob)})`)));
}

async function quarantine(ctx: Context, dt = DT) {
  const buf = await ctx.storage.get(ctx.layout.quarantineKey('amplitude', dt, 'transform'));
  return gunzipSync(buf)
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { file: string; line: number; reason: string; record: string | null });
}

/** Two hourly files: 0..11 and 8..19 (4 cross-file duplicates), one in-file duplicate, plus bad lines. */
async function writeDirtyDt(ctx: Context) {
  const evs = Array.from({ length: 20 }, (_, i) => ampEvent(i));
  const a = [
    ...evs.slice(0, 12).map((e) => JSON.stringify(e)),
    JSON.stringify(evs[3]), // in-file duplicate (line 13)
    '{"uuid": "bad-1", "event_type": "click", ', // malformed (line 14)
    JSON.stringify(ampEvent(100, { session_id: 'not-a-number' })), // wrong type (line 15)
    JSON.stringify({ ...ampEvent(101), uuid: undefined }), // missing uuid (line 16)
    '', // blank line is not a record (line 17)
    JSON.stringify(ampEvent(102, { event_time: '14/11/2022 10:00' })), // bad timestamp (line 18)
  ].join('\n') + '\n';
  await putRaw(ctx, 'amplitude', DT, 10, '187520_2022-11-14_10#0.json.gz', a);
  const invalidUtf8 = Buffer.concat([Buffer.from(JSON.stringify(ampEvent(103)).replace('Berlin', 'Berl')), Buffer.from([0xff, 0xfe]), Buffer.from('in\n')]);
  const b = Buffer.concat([
    Buffer.from(ndjson(evs.slice(8))), // lines 1..12, 8..11 duplicate file a
    invalidUtf8, // line 13
    Buffer.from(JSON.stringify(ampEvent(104)).slice(0, 60)), // truncated last line, no newline (line 14)
  ]);
  await putRaw(ctx, 'amplitude', DT, 11, '187520_2022-11-14_11#0.json.gz', b);
  // A clean file in the same dt goes through the fast path next to the dirty ones.
  await putRaw(ctx, 'amplitude', DT, 12, '187520_2022-11-14_12#0.json.gz', ndjson(Array.from({ length: 5 }, (_, i) => ampEvent(200 + i, { server_upload_time: '2022-11-14 12:00:01.000000' }))));
}

test('dirty dt: exact counts, dedup within and across files, every bad record quarantined with file/line/reason', () =>
  withLake(async (ctx) => {
    await writeDirtyDt(ctx);
    const [s] = await runTransform(ctx, { source: 'amplitude' });
    assert.ok(s);
    assert.equal(s.status, 'promoted');
    // a: 12 + 1 dup + 4 bad = 17 records; b: 12 + 2 bad = 14; c: 5  → 36 in
    assert.deepEqual(s.result, { inputRecords: 36, rows: { events: 25 }, quarantined: 6, duplicates: 5 });
    const q = await quarantine(ctx);
    const byLine = q.map((r) => `${r.file}:${r.line}`).sort();
    assert.deepEqual(byLine, [
      'dt=2022-11-14/hour=10/187520_2022-11-14_10#0.json.gz:14',
      'dt=2022-11-14/hour=10/187520_2022-11-14_10#0.json.gz:15',
      'dt=2022-11-14/hour=10/187520_2022-11-14_10#0.json.gz:16',
      'dt=2022-11-14/hour=10/187520_2022-11-14_10#0.json.gz:18',
      'dt=2022-11-14/hour=11/187520_2022-11-14_11#0.json.gz:13',
      'dt=2022-11-14/hour=11/187520_2022-11-14_11#0.json.gz:14',
    ]);
    const reason = (file: string, line: number) => q.find((r) => r.file.endsWith(file) && r.line === line)!.reason;
    assert.match(reason('10#0.json.gz', 14), /malformed JSON/);
    assert.match(reason('10#0.json.gz', 15), /wrong type for session_id/);
    assert.match(reason('10#0.json.gz', 16), /missing key uuid/);
    assert.match(reason('10#0.json.gz', 18), /wrong type for event_time/);
    assert.equal(reason('11#0.json.gz', 13), 'invalid UTF-8');
    assert.match(reason('11#0.json.gz', 14), /malformed JSON/);
    assert.ok(q.find((r) => r.line === 15)!.record!.includes('not-a-number'), 'the rejected record itself is kept');

    const rows = await cleanedRows(ctx, (src) => `SELECT count(*) AS n, count(DISTINCT uuid) AS d, count(DISTINCT _file) AS files FROM ${src}`);
    assert.deepEqual(rows[0], { n: 25, d: 25, files: 3 });
    const manifest = await ctx.meta.getManifest<{ status: string; rawKeys: string[] }>('amplitude', `cleaned/dt=${DT}`);
    assert.equal(manifest?.status, 'promoted');
    assert.equal(manifest?.rawKeys.length, 3);
  }));

test('typed columns: timestamps are UTC instants (with and without fraction), properties stay JSON', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', DT, 10, 'a.json.gz', ndjson([ampEvent(5), ampEvent(6, { event_time: '2022-11-14 23:59:59', event_properties: { nested: { a: [1, 2] } } })]));
    await runTransform(ctx, { source: 'amplitude', from: DT, to: DT });
    const rows = await cleanedRows(
      ctx,
      (src) =>
        `SELECT uuid, epoch_ms(event_time) AS ms, typeof(event_time) AS t, typeof(event_properties) AS pt, event_properties->>'$.page' AS page,
                json_extract(event_properties, '$.nested.a[1]')::INT AS nested, session_id, insert_id FROM ${src} ORDER BY uuid`,
    );
    assert.equal(rows[0]!.ms, Date.parse('2022-11-14T10:00:05.008Z'));
    assert.equal(rows[1]!.ms, Date.parse('2022-11-14T23:59:59Z'));
    assert.equal(rows[0]!.t, 'TIMESTAMP WITH TIME ZONE');
    assert.equal(rows[0]!.pt, 'JSON');
    assert.equal(rows[0]!.page, '/p/1');
    assert.equal(rows[1]!.nested, 2);
    assert.equal(rows[0]!.session_id, 1668419973008);
    assert.equal(rows[0]!.insert_id, 'ins-5');
  }));

test('rerun of the same dt replaces: identical counts, same keys, no stale files or quarantine', () =>
  withLake(async (ctx) => {
    await writeDirtyDt(ctx);
    const first = await runTransform(ctx, { source: 'amplitude' });
    const keys1 = (await listAll(ctx.storage, 'cleaned/')).map((o) => o.key);
    const second = await runTransform(ctx, { source: 'amplitude' });
    const keys2 = (await listAll(ctx.storage, 'cleaned/')).map((o) => o.key);
    assert.deepEqual(second[0]!.result, first[0]!.result);
    assert.deepEqual(keys2, keys1);
    assert.deepEqual(keys1, ['cleaned/amplitude/events/dt=2022-11-14/part-0.parquet']);
    const rows = await cleanedRows(ctx, (src) => `SELECT count(*) AS n FROM ${src}`);
    assert.equal(rows[0]!.n, 25);
    // The bad lines get fixed upstream (a raw file replaced for the test): the rerun leaves no stale quarantine.
    await ctx.storage.deletePrefix('raw/');
    await putRaw(ctx, 'amplitude', DT, 10, 'fixed.json.gz', ndjson([ampEvent(1)]));
    await runTransform(ctx, { source: 'amplitude' });
    assert.equal(await ctx.storage.head(ctx.layout.quarantineKey('amplitude', DT, 'transform')), undefined);
  }));

test('snappy codec is honoured', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', DT, 10, 'a.json.gz', ndjson([ampEvent(1), ampEvent(2)]));
    await runTransform(ctx, { source: 'amplitude', codec: 'snappy' });
    const file = ctx.storage.localPath(`cleaned/amplitude/events/dt=${DT}/part-0.parquet`);
    const codecs = await withLayerEngine(ctx, (e) => e.all(`SELECT DISTINCT compression FROM parquet_metadata(${sqlString(file!)})`));
    assert.deepEqual(codecs.map((r) => r.compression), ['SNAPPY']);
  }));

test('a failing quality check stops promotion (old partition kept), exit code 5, and says why', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', DT, 10, 'a.json.gz', ndjson([ampEvent(1), ampEvent(2)]));
    await runTransform(ctx, { source: 'amplitude' });
    // Then a batch that is mostly garbage arrives for the same dt.
    await putRaw(ctx, 'amplitude', DT, 11, 'b.json.gz', 'garbage\n{"nope":\n[]\n' + ndjson([ampEvent(3)]));
    await assert.rejects(runTransform(ctx, { source: 'amplitude' }), (e: unknown) => {
      assert.ok(e instanceof QualityError);
      assert.equal(e.exitCode, 5);
      assert.match(e.message, /quarantine_ratio: 3 of 6 records quarantined|quarantine_ratio: 3 of 6/);
      return true;
    });
    const rows = await cleanedRows(ctx, (src) => `SELECT count(*) AS n FROM ${src}`);
    assert.equal(rows[0]!.n, 2, 'previous partition still served');
    const m = await ctx.meta.getManifest<{ status: string }>('amplitude', `cleaned/dt=${DT}`);
    assert.equal(m?.status, 'quality_failed');
  }, { transform: { quality: { maxQuarantineRatio: 0.4 } } }));

test('a corrupt gzip is quarantined with the lines read before the break loaded', () =>
  withLake(async (ctx) => {
    const { gzipSync } = await import('node:zlib');
    const full = gzipSync(Buffer.from(ndjson(Array.from({ length: 50 }, (_, i) => ampEvent(i)))));
    await ctx.storage.put(ctx.layout.rawKey('amplitude', DT, 10, 'cut.json.gz'), full.subarray(0, Math.floor(full.length * 0.7)));
    const [s] = await runTransform(ctx, { source: 'amplitude' });
    const q = await quarantine(ctx);
    assert.ok(q.some((r) => /^gzip: /.test(r.reason)), JSON.stringify(q));
    assert.ok(s!.result.rows.events! > 0 && s!.result.rows.events! < 50);
    assert.equal(s!.result.inputRecords, s!.result.rows.events! + s!.result.quarantined + s!.result.duplicates);
  }));

test('several fast batches: clean parts are kept as part-N without a rewrite; duplicates force one deduped part; stale parts go', async () => {
  const { cleanedTuning } = await import('../../../src/models/amplitude/cleaned.ts');
  const saved = cleanedTuning.batchBytes;
  cleanedTuning.batchBytes = 1; // every file its own batch
  try {
    await withLake(async (ctx) => {
      for (let h = 0; h < 3; h++) await putRaw(ctx, 'amplitude', DT, h, `f${h}.json.gz`, ndjson(Array.from({ length: 4 }, (_, i) => ampEvent(h * 10 + i, { server_upload_time: '2022-11-14 01:00:00' }))));
      const [a] = await runTransform(ctx, {});
      assert.deepEqual(a!.result, { inputRecords: 12, rows: { events: 12 }, quarantined: 0, duplicates: 0 });
      const keys = async () => (await listAll(ctx.storage, 'cleaned/')).map((o) => o.key.split('/').pop());
      assert.deepEqual(await keys(), ['part-0.parquet', 'part-1.parquet', 'part-2.parquet']);
      // A re-sent copy of f0 lands in another hour: the rerun dedups into one part and the old part-1/2 are removed.
      await putRaw(ctx, 'amplitude', DT, 5, 'resent.json.gz', ndjson(Array.from({ length: 4 }, (_, i) => ampEvent(i, { server_upload_time: '2022-11-14 05:00:00' }))));
      const [b] = await runTransform(ctx, {});
      assert.deepEqual(b!.result, { inputRecords: 16, rows: { events: 12 }, quarantined: 0, duplicates: 4 });
      assert.deepEqual(await keys(), ['part-0.parquet']);
      // The first arrival wins.
      const rows = await cleanedRows(ctx, (src) => `SELECT count(*) AS n FROM ${src} WHERE _file LIKE '%resent%'`);
      assert.equal(rows[0]!.n, 0);
    });
  } finally {
    cleanedTuning.batchBytes = saved;
  }
});

test('dedup winner per uuid: earliest server_upload_time across files, then raw file, then line; every copy of a uuid but one goes', () =>
  withLake(async (ctx) => {
    const ev = (n: number, tag: string, upload: string) => ampEvent(n, { event_type: tag, server_upload_time: upload });
    // hour 01: u1 uploaded late, u2 twice in the same file (line order decides), u3 once
    await putRaw(ctx, 'amplitude', DT, 1, 'a.json.gz', ndjson([ev(1, 'u1-late', '2022-11-14 09:00:00'), ev(2, 'u2-first', '2022-11-14 01:00:00'), ev(2, 'u2-second', '2022-11-14 01:00:00'), ev(3, 'u3-only', '2022-11-14 01:00:00')]));
    // hour 07: u1 uploaded earlier than hour 01's copy (upload time beats file order), u4 three times across files
    await putRaw(ctx, 'amplitude', DT, 7, 'b.json.gz', ndjson([ev(4, 'u4-b', '2022-11-14 03:00:00'), ev(1, 'u1-early', '2022-11-14 02:00:00')]));
    // hour 08: same upload time as b's u4 → the earlier raw file (b, hour=07) wins; a later-uploaded u4 goes too
    await putRaw(ctx, 'amplitude', DT, 8, 'c.json.gz', ndjson([ev(4, 'u4-c', '2022-11-14 03:00:00'), ev(4, 'u4-c-late', '2022-11-14 04:00:00')]));
    const [s] = await runTransform(ctx, { source: 'amplitude' });
    assert.deepEqual(s!.result, { inputRecords: 8, rows: { events: 4 }, quarantined: 0, duplicates: 4 });
    const rows = await cleanedRows(ctx, (src) => `SELECT event_type FROM ${src} ORDER BY event_type`);
    assert.deepEqual(rows.map((r) => r.event_type), ['u1-early', 'u2-first', 'u3-only', 'u4-b']);
  }));

test('cleaned Parquet is written in capped row groups (the writer never buffers a default-size row group)', () =>
  withLake(async (ctx) => {
    const { parquetWrite } = await import('../../../src/layers/parquet-write.ts');
    const n = parquetWrite.rowGroupRows + 5_000;
    // One duplicate forces the dedup rewrite, so both the staged and the rewritten file go through the writer.
    await putRaw(ctx, 'amplitude', DT, 3, 'big.json.gz', ndjson([...Array.from({ length: n }, (_, i) => ampEvent(i)), ampEvent(0)]));
    const [s] = await runTransform(ctx, { source: 'amplitude' });
    assert.deepEqual(s!.result, { inputRecords: n + 1, rows: { events: n }, quarantined: 0, duplicates: 1 });
    const glob = ctx.storage.localPath(`cleaned/amplitude/events/dt=${DT}`) + '/*.parquet';
    const groups = await withLayerEngine(ctx, (e) =>
      e.all<{ rows: number }>(`SELECT row_group_id, max(row_group_num_rows) AS rows FROM parquet_metadata(${sqlString(glob)}) GROUP BY ALL ORDER BY 1`),
    );
    assert.ok(groups.length >= 2, `row groups: ${JSON.stringify(groups)}`);
    assert.ok(groups.every((g) => Number(g.rows) <= parquetWrite.rowGroupRows), JSON.stringify(groups));
    assert.equal(groups.reduce((t, g) => t + Number(g.rows), 0), n);
  }));
