import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wal, encodeEntryDeflated, readSegment } from '../../src/collector/wal.ts';
import { b64, batch, delivered, fixtureLines, metricValue, post, startCollector, tempDir, waitFor } from './helpers.ts';

const hourOf = (ms: number) => {
  const iso = new Date(ms).toISOString();
  return { dt: iso.slice(0, 10), hh: iso.slice(11, 13), ymdh: `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}` };
};

test('GitHub transform: Ok records land as exact NDJSON, failures go to the error prefix with the reason, blanks are dropped', async () => {
  const t = await startCollector();
  try {
    const shifted = { id: 7, type: 'PushEvent', actor: { id: 1, login: 'a' }, repo: { id: 2, name: 'a/b' }, payload: {}, created_at: '2013-01-10T07:58:30+01:00' };
    const malformed = '{"id": oops';
    const noActor = '{"id":"1","type":"PushEvent","repo":{"id":1,"name":"a/b"},"created_at":"2013-01-10T07:58:30Z"}';
    const payloads = [...fixtureLines, JSON.stringify(shifted), malformed, noActor, '  \n'];
    const before = Date.now();
    const r = await post(`${t.url}/firehose/PutRecordBatch`, batch(payloads), { key: t.key });
    const afterMs = Date.now();
    assert.equal(r.status, 200);
    assert.equal(r.body.FailedPutCount, 0);
    await t.stop(); // graceful: flushes the buffer

    const ok = await delivered(t, 'raw/github/');
    assert.equal(ok.size, 1);
    const [key, text] = [...ok][0]!;
    const okHours = [hourOf(before), hourOf(afterMs)].map((h) => `raw/github/dt=${h.dt}/hour=${h.hh}/collector-${t.collector.walId}-0000000001.json.gz`);
    assert.ok(okHours.includes(key), key);
    const expected = [...fixtureLines.map((l) => JSON.stringify(JSON.parse(l))), JSON.stringify({ ...shifted, id: '7', created_at: '2013-01-10T06:58:30Z' })];
    assert.equal(text, expected.join('\n') + '\n');

    const errs = await delivered(t, 'raw-errors/github/processing-failed/');
    assert.equal(errs.size, 1);
    assert.equal([...errs.keys()][0], key.replace(/^raw\/github\//, 'raw-errors/github/processing-failed/'));
    const failed = [...errs.values()][0]!.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(failed.length, 2);
    assert.deepEqual(failed.map((f) => Buffer.from(f.rawData, 'base64').toString()), [malformed, noActor]);
    assert.match(failed[0].errorMessage, /malformed JSON/);
    assert.match(failed[1].errorMessage, /actor/);
    assert.equal(failed[0].errorCode, 'Lambda.ProcessingFailed');
    assert.ok(failed[0].arrivalTimestamp >= before && failed[0].arrivalTimestamp <= afterMs);

    // Exact accounting: sent = landed + failed + dropped.
    const m = await t.registry.metrics();
    assert.equal(metricValue(m, 'eventlake_collector_records_out_total{result="ok"}'), 31);
    assert.equal(metricValue(m, 'eventlake_collector_records_out_total{result="processing_failed"}'), 2);
    assert.equal(metricValue(m, 'eventlake_collector_records_out_total{result="dropped"}'), 1);
    assert.equal(31 + 2 + 1, payloads.length);
    assert.deepEqual(readdirSync(t.collector.wal.dir).filter((f) => f.endsWith('.wal')), []);
  } finally {
    await t.cleanup();
  }
});

test('buffering: the size hint flushes while running, the rest waits for the interval or shutdown', async () => {
  const t = await startCollector({ bufferSizeMiB: 1, bufferIntervalSeconds: 900, transform: 'none', deliveryThread: false }); // also covers in-thread delivery
  try {
    const rec = (c: string) => `"${c.repeat(400 * 1024)}"`;
    for (const c of ['a', 'b', 'c']) assert.equal((await post(`${t.url}/firehose/PutRecordBatch`, batch([rec(c)]), { key: t.key })).status, 200);
    const files = await waitFor(async () => {
      const d = await delivered(t, 'raw/github/');
      return d.size === 1 ? d : undefined;
    }, 'size-triggered delivery');
    assert.deepEqual([...files.values()][0]!.split('\n').map((l) => l.slice(0, 2)), ['"a', '"b', '"c', '']);
    assert.equal((await post(`${t.url}/firehose/PutRecordBatch`, batch([rec('d')]), { key: t.key })).status, 200);
    assert.equal((await delivered(t, 'raw/github/')).size, 1, 'a small remainder is not flushed before the interval');
    await t.stop();
    const all = await delivered(t, 'raw/github/');
    assert.equal(all.size, 2);
    assert.match([...all.values()][1]!, /^"dddd/);
  } finally {
    await t.cleanup();
  }
});

test('buffering: the interval hint flushes a small buffer while running', async () => {
  const t = await startCollector({ bufferIntervalSeconds: 1 });
  try {
    assert.equal((await post(`${t.url}/firehose/PutRecordBatch`, batch([fixtureLines[0]!]), { key: t.key })).status, 200);
    const d = await waitFor(async () => {
      const x = await delivered(t, 'raw/github/');
      return x.size ? x : undefined;
    }, 'interval-triggered delivery');
    assert.equal([...d.values()][0], JSON.stringify(JSON.parse(fixtureLines[0]!)) + '\n');
  } finally {
    await t.cleanup();
  }
});

test('a Lambda-style transform module runs as the hook; Firehose prefix style; contract violations fail the record', async () => {
  const dir = tempDir();
  const mod = join(dir, 'transform.mjs');
  writeFileSync(
    mod,
    `export async function handler(event) {
      return { records: event.records.flatMap((r) => {
        const s = Buffer.from(r.data, 'base64').toString();
        if (s === 'drop') return [{ recordId: r.recordId, result: 'Dropped', data: r.data }];
        if (s === 'lose') return [];
        if (s === 'fail') return [{ recordId: r.recordId, result: 'ProcessingFailed', data: r.data }];
        return [{ recordId: r.recordId, result: 'Ok', data: Buffer.from(s.toUpperCase() + '\\n').toString('base64') }];
      }) };
    }\n`,
  );
  const t = await startCollector({ transform: mod, prefixStyle: 'firehose' }, dir);
  try {
    const at = Date.now();
    assert.equal((await post(`${t.url}/firehose/PutRecordBatch`, batch(['a', 'drop', 'lose', 'b', 'fail']), { key: t.key })).status, 200);
    await t.stop();
    const ok = await delivered(t, 'raw/github/');
    assert.deepEqual([...ok.keys()], [`raw/github/${hourOf(at).ymdh}/collector-${t.collector.walId}-0000000001.json.gz`]);
    assert.equal([...ok.values()][0], 'A\nB\n');
    const errs = [...(await delivered(t, 'raw-errors/github/processing-failed/')).values()][0]!.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(errs.map((e) => Buffer.from(e.rawData, 'base64').toString()), ['lose', 'fail']);
    assert.match(errs[0].errorMessage, /Lambda\.MissingRecordId/);
  } finally {
    await t.cleanup();
  }
});

test('replay: a segment left in the WAL is delivered on start; a key that already landed is not written twice', async () => {
  const dir = tempDir();
  const walDir = join(dir, '.eventlake-wal', 'github');
  const wal = new Wal(walDir);
  await wal.open();
  const arrival = Date.UTC(2026, 0, 2, 3, 4, 5);
  await wal.append([Buffer.from(fixtureLines[0]!), Buffer.from(fixtureLines[1]!)], arrival).done;
  // A compressed entry (collector.walCompression: deflate).
  await wal.appendEntry(await encodeEntryDeflated([Buffer.from(fixtureLines[2]!)], arrival), 1, fixtureLines[2]!.length, arrival).done;
  // A torn tail, as a kill -9 during a write leaves it: never acknowledged, must be ignored.
  writeFileSync(join(walDir, 'seg-0000000000000001.wal'), Buffer.from([200, 0, 0, 0, 1, 2, 3]), { flag: 'a' });
  await wal.close();
  const copy = join(dir, 'wal-copy');
  cpSync(walDir, copy, { recursive: true });

  const key = `raw/github/dt=2026-01-02/hour=03/collector-${wal.walId}-0000000001.json.gz`;
  const expected = fixtureLines.slice(0, 3).map((l) => JSON.stringify(JSON.parse(l))).join('\n') + '\n';
  const t1 = await startCollector({}, dir);
  await t1.collector.idle();
  assert.equal((await delivered(t1, 'raw/github/')).get(key), expected);
  await t1.stop();
  assert.equal(t1.collector.totals.ok, 3);

  // Crash after the file landed but before the segment was deleted: put the segment back and start again.
  rmSync(walDir, { recursive: true });
  mkdirSync(walDir, { recursive: true });
  cpSync(copy, walDir, { recursive: true });
  const t2 = await startCollector({}, dir);
  try {
    await t2.collector.idle();
    assert.equal(t2.collector.totals.skipped, 1);
    assert.equal(t2.collector.totals.files, 0);
    const all = await delivered(t2, 'raw/github/');
    assert.deepEqual([...all.keys()], [key]);
    assert.equal(all.get(key), expected);
    // New segments never reuse a delivered number: the next batch gets segment 2.
    const r = await post(`${t2.url}/firehose/PutRecordBatch`, batch([fixtureLines[3]!]), { key: t2.key });
    assert.match(r.body.RequestResponses[0].RecordId, new RegExp(`^${wal.walId}-2-0-0$`));
  } finally {
    await t2.cleanup();
  }
});

test('one collector per WAL folder: a second one is refused while the first runs, and can start after it stops', async () => {
  const dir = tempDir();
  const t1 = await startCollector({}, dir);
  try {
    await assert.rejects(startCollector({}, dir), /write-ahead log .* is in use by process \d+/);
  } finally {
    await t1.stop();
  }
  const t2 = await startCollector({}, dir);
  try {
    assert.equal(t2.collector.walId, t1.collector.walId);
  } finally {
    await t2.cleanup();
  }
});

test('PutRecordBatch fast path: cheap checks fail records at the API, the transform fails the rest at delivery into the error prefix, every record is accounted for', async () => {
  const t = await startCollector();
  try {
    const malformed = '{"id": oops';
    const noType = '{"id":"1","actor":{"id":1,"login":"a"},"repo":{"id":1,"name":"a/b"},"created_at":"2013-01-10T07:58:30Z"}';
    const Records = [
      { Data: b64(fixtureLines[0]!) },
      { Data: 'bm90IGJhc2U2NA!=' }, // not base64: fails at the API
      { Data: b64(malformed) }, // valid base64, not JSON: fails at delivery
      { Data: b64(Buffer.alloc(1000 * 1024 + 1, 0x61)) }, // over the record limit: fails at the API
      { Data: b64(noType) }, // JSON, not a GitHub event: fails at delivery
      { Data: b64(fixtureLines[1]!) },
      { Data: '' }, // empty: accepted (as Firehose does), dropped by the transform
    ];
    const r = await post(`${t.url}/firehose/PutRecordBatch`, { DeliveryStreamName: 'github', Records }, { key: t.key });
    assert.equal(r.status, 200);
    assert.equal(r.body.FailedPutCount, 2);
    const rr = r.body.RequestResponses as { RecordId?: string; ErrorCode?: string; ErrorMessage?: string }[];
    assert.deepEqual(rr.map((x) => x.ErrorCode ?? 'ok'), ['ok', 'InvalidArgumentException', 'ok', 'InvalidArgumentException', 'ok', 'ok', 'ok']);
    assert.match(rr[1]!.ErrorMessage!, /not valid base64/);
    assert.match(rr[3]!.ErrorMessage!, /1024001 bytes, over the 1024000-byte limit/);
    const ids = rr.filter((x) => x.RecordId).map((x) => x.RecordId!);
    const prefix = ids[0]!.replace(/\d+$/, '');
    assert.deepEqual(ids, [0, 1, 2, 3, 4].map((k) => prefix + k));
    await t.stop();

    const ok = [...(await delivered(t, 'raw/github/')).values()].join('');
    assert.equal(ok, [fixtureLines[0], fixtureLines[1]].map((l) => JSON.stringify(JSON.parse(l!))).join('\n') + '\n');
    const failed = [...(await delivered(t, 'raw-errors/github/processing-failed/')).values()].join('').trim().split('\n').map((l) => JSON.parse(l) as { recordId: string; rawData: string; errorMessage: string });
    assert.deepEqual(failed.map((f) => Buffer.from(f.rawData, 'base64').toString()), [malformed, noType]);
    // The error records carry the RecordId the API returned for them.
    assert.deepEqual(failed.map((f) => f.recordId), [rr[2]!.RecordId, rr[4]!.RecordId]);
    assert.match(failed[0]!.errorMessage, /malformed JSON/);
    assert.match(failed[1]!.errorMessage, /"type"/);
    const m = await t.registry.metrics();
    assert.equal(metricValue(m, 'eventlake_collector_records_out_total{result="ok"}'), 2);
    assert.equal(metricValue(m, 'eventlake_collector_records_out_total{result="processing_failed"}'), 2);
    assert.equal(metricValue(m, 'eventlake_collector_records_out_total{result="dropped"}'), 1);
    assert.equal(metricValue(m, 'eventlake_collector_records_rejected_total{reason="InvalidArgumentException"}'), 2);
  } finally {
    await t.cleanup();
  }
});

test('parallel delivery lanes: several segments delivered at once, every record lands exactly once', async () => {
  const t = await startCollector({ bufferSizeMiB: 1, bufferIntervalSeconds: 900, deliveryConcurrency: 3 });
  try {
    const sent: string[] = [];
    for (let b = 0; b < 8; b++) {
      const payloads = Array.from({ length: 500 }, (_, i) => {
        const ev = JSON.parse(fixtureLines[i % fixtureLines.length]!) as Record<string, unknown>;
        ev.id = String(b * 500 + i + 1);
        sent.push(ev.id as string);
        return JSON.stringify(ev);
      });
      const r = await post(`${t.url}/firehose/PutRecordBatch`, batch(payloads), { key: t.key });
      assert.equal(r.status, 200);
      assert.equal(r.body.FailedPutCount, 0);
    }
    await t.stop();
    const files = await delivered(t, 'raw/github/');
    assert.ok(files.size >= 3, `several segments (${files.size} files)`);
    const ids = [...files.values()].flatMap((text) => text.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id));
    assert.equal(ids.length, sent.length);
    assert.deepEqual(new Set(ids), new Set(sent));
    assert.equal(t.collector.totals.ok, sent.length);
    assert.deepEqual(readdirSync(t.collector.wal.dir).filter((f) => f.endsWith('.wal')), []);
  } finally {
    await t.cleanup();
  }
});

test('WAL segments are read in blocks: entries across block boundaries, a reused block buffer, a torn tail cut off', async () => {
  const dir = tempDir();
  try {
    const wal = new Wal(join(dir, 'wal'));
    await wal.open();
    // 7 entries of ~1.1 MB: the segment spans two 4 MiB read blocks, entries straddle the boundary.
    const entries = Array.from({ length: 7 }, (_, e) => Array.from({ length: 3 }, (_, r) => Buffer.alloc(370_000 + e * 1000 + r, 97 + e + r)));
    for (const recs of entries) await wal.append(recs, 1_700_000_000_000 + entries.indexOf(recs)).done;
    const seg = wal.seal()!;
    await seg.durable;
    await wal.close();
    const torn = readFileSync(seg.path).subarray(0, 8 + 100); // the start of an entry, as a kill -9 mid-write leaves it
    appendFileSync(seg.path, torn);
    for (const reuse of [false, true]) {
      const got: Buffer[][] = [];
      const arrivals: number[] = [];
      for await (const e of readSegment(seg.path, { reuse })) {
        got.push(e.records.map((r) => Buffer.from(r))); // copies: with reuse, views are valid only until the next entry
        arrivals.push(e.arrivalMs);
      }
      assert.deepEqual(got, entries, `reuse ${reuse}`);
      assert.deepEqual(arrivals, entries.map((_, i) => 1_700_000_000_000 + i));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('WAL: segments delivered by parallel lanes are forgotten one at a time (last-seq stays consistent)', async () => {
  const dir = tempDir();
  try {
    const wal = new Wal(join(dir, 'wal'));
    await wal.open();
    const segs = [];
    for (let i = 0; i < 4; i++) {
      await wal.append([Buffer.from(`r${i}`)], Date.now()).done;
      segs.push(wal.seal()!);
    }
    await Promise.all(segs.map((s) => s.durable));
    await Promise.all(segs.map((s) => wal.delivered(s)));
    assert.equal(wal.bytes, 0);
    assert.deepEqual(readdirSync(wal.dir).filter((f) => f.endsWith('.wal') || f.endsWith('.tmp')), []);
    assert.equal(readFileSync(join(wal.dir, 'last-seq'), 'utf8'), '4\n');
    await wal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('WAL: a segment written whole is read without a second CRC pass; with checkCrc (after a write error) a corrupt entry ends the read', async () => {
  const dir = tempDir();
  try {
    const wal = new Wal(join(dir, 'wal'));
    await wal.open();
    for (let i = 0; i < 3; i++) await wal.append([Buffer.from(`{"n":${i}}`), Buffer.from('x'.repeat(100))], 1_700_000_000_000).done;
    const seg = wal.seal()!;
    await seg.durable;
    await wal.close();
    assert.equal(seg.writeFailed, false, 'every write succeeded: delivery may skip the CRC pass');
    // Flip one data byte of the last entry: lengths still add up, only its CRC tells.
    const bytes = readFileSync(seg.path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    writeFileSync(seg.path, bytes);
    const count = async (checkCrc: boolean) => {
      let n = 0;
      for await (const e of readSegment(seg.path, { checkCrc })) n += e.records.length;
      return n;
    };
    assert.equal(await count(true), 4, 'the corrupt entry and what follows are not read');
    assert.equal(await count(false), 6, 'without the CRC pass the entry structure alone is checked');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gzip WAL entries: a batch whose records all pass unchanged lands as the very gzip member the ack wrote; other batches are recompressed; the file reads as one NDJSON stream', async () => {
  const t = await startCollector({ bufferSizeMiB: 64 });
  try {
    assert.equal(t.collector.entryLayout, 'lines'); // the default: collector.walCompression gzip
    const normal = fixtureLines.slice(0, 3).map((l) => JSON.stringify(JSON.parse(l)));
    const changed = JSON.stringify(JSON.parse(fixtureLines[3]!), null, 1); // valid, not in normal form: rewritten
    for (const body of [batch(normal), batch([normal[0]!, changed, '{not json'])]) {
      assert.equal((await post(`${t.url}/firehose/PutRecordBatch`, body, { key: t.key })).status, 200);
    }
    // Both acks are on disk as gzip entries of one open segment.
    const seg = readdirSync(t.collector.wal.dir).find((n) => n.endsWith('.wal'))!;
    const entries = [];
    for await (const e of readSegment(join(t.collector.wal.dir, seg))) entries.push({ records: e.records.map((r) => r.toString()), member: Buffer.from(e.member!), passesGithub: e.passesGithub });
    assert.deepEqual(entries.map((e) => e.records), [normal, [normal[0]!, changed, '{not json']]);
    // Marked at ingest: the first batch passes the GitHub transform unchanged (delivery appends it unread), not the second.
    assert.deepEqual(entries.map((e) => e.passesGithub), [true, false]);
    const { gunzipSync } = await import('node:zlib');
    assert.equal(gunzipSync(entries[0]!.member).toString(), normal.join('\n') + '\n');
    await t.stop();
    const [key, ...others] = [...(await delivered(t, 'raw/github/')).keys()];
    assert.equal(others.length, 0);
    const file = await t.ctx.storage.get(key!);
    // Compressed once: the first entry's member is the start of the file, byte for byte; the second was recompressed.
    assert.ok(file.subarray(0, entries[0]!.member.length).equals(entries[0]!.member), 'the first batch was recompressed');
    assert.ok(!file.subarray(entries[0]!.member.length).equals(entries[1]!.member), 'the second batch was copied although a record changed');
    assert.equal(gunzipSync(file).toString(), [...normal, normal[0], JSON.stringify(JSON.parse(changed))].join('\n') + '\n');
    const errs = [...(await delivered(t, 'raw-errors/github/')).values()].join('').trim().split('\n').map((l) => JSON.parse(l) as { rawData: string });
    assert.deepEqual(errs.map((e) => Buffer.from(e.rawData, 'base64').toString()), ['{not json']);
    assert.deepEqual(t.collector.totals, { ok: 5, dropped: 0, failed: 1, files: 2, skipped: 0 });
  } finally {
    await t.cleanup();
  }
});

test('gzip WAL entries: one whose member does not hold exactly its table\'s records fails as corrupt; walCompression none and the old name deflate', async () => {
  const { encodeGzipEntry, encodeEntry } = await import('../../src/collector/wal.ts');
  const { codec } = await import('../../src/codec/index.ts');
  const dir = tempDir();
  try {
    const good = encodeGzipEntry([Buffer.from('a'), Buffer.from('bc')], 1_700_000_000_000);
    // Same table, a member of other lines, and a valid WAL CRC: only the gzip-level check can catch it.
    const forged = encodeGzipEntry([Buffer.from('ab'), Buffer.from('c')], 1_700_000_000_000);
    forged.writeUInt32LE(1, 20);
    forged.writeUInt32LE(2, 24);
    forged.writeUInt32LE(codec().crc32(forged.subarray(8)), 4);
    writeFileSync(join(dir, 'seg.wal'), Buffer.concat([good, forged, encodeEntry([Buffer.from('z')], 1)]));
    const read = [];
    for await (const e of readSegment(join(dir, 'seg.wal'))) {
      try {
        read.push(e.records.map((r) => r.toString()));
      } catch (err) {
        read.push((err as Error).message);
      }
    }
    assert.deepEqual(read, [['a', 'bc'], 'corrupt WAL entry: record 0 of its gzip member is not followed by a newline', ['z']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [walCompression, layout] of [['none', 'plain'], ['deflate', 'lines']] as const) {
    const t = await startCollector({ walCompression });
    try {
      assert.equal(t.collector.entryLayout, layout);
      const normal = fixtureLines.slice(0, 2).map((l) => JSON.stringify(JSON.parse(l)));
      assert.equal((await post(`${t.url}/firehose/PutRecordBatch`, batch(normal), { key: t.key })).status, 200);
      await t.stop();
      assert.deepEqual([...(await delivered(t, 'raw/github/')).values()], [normal.join('\n') + '\n']);
    } finally {
      await t.cleanup();
    }
  }
});

test('gzip WAL entries: the ingest-time GitHub verdict is used only with the GitHub transform; replayed under another transform, records are transformed', async () => {
  const dir = tempDir();
  const normal = fixtureLines.slice(0, 2).map((l) => JSON.stringify(JSON.parse(l)));
  const t1 = await startCollector({}, dir);
  assert.equal((await post(`${t1.url}/firehose/PutRecordBatch`, batch(normal), { key: t1.key })).status, 200);
  // kill -9 stand-in: keep the WAL as the ack left it (a marked entry), start again with a Lambda-style transform.
  const walDir = t1.collector.wal.dir;
  const copy = join(dir, 'wal-copy');
  cpSync(walDir, copy, { recursive: true });
  await t1.stop(); // delivers; then the lake and WAL are put back to the moment of the ack
  rmSync(t1.lake, { recursive: true, force: true });
  rmSync(walDir, { recursive: true, force: true });
  cpSync(copy, walDir, { recursive: true });
  rmSync(join(walDir, 'lock'), { force: true });
  const mod = join(dir, 'upper.mjs');
  writeFileSync(mod, `export async function handler(event) {
    return { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: Buffer.from(Buffer.from(r.data, 'base64').toString().toUpperCase() + '\\n').toString('base64') })) };
  }\n`);
  const t2 = await startCollector({ transform: mod }, dir);
  try {
    await t2.collector.idle();
    await t2.stop();
    assert.deepEqual([...(await delivered(t2, 'raw/github/')).values()].join(''), normal.map((l) => l.toUpperCase()).join('\n') + '\n');
  } finally {
    await t2.cleanup();
  }
});
