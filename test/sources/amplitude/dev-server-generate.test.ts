import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import yauzl from 'yauzl';
import { generateAmplitudeEvents, startAmplitudeDevServer, writeAmplitudeHourlyFiles, writeExportZip } from '../../../src/sources/amplitude/index.ts';
import { SAMPLES, SAMPLE_FILES, tempDir } from './helpers.ts';

const TS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$/;
const auth = (k = 'dev-api-key', s = 'dev-secret-key') => ({ authorization: 'Basic ' + Buffer.from(`${k}:${s}`).toString('base64') });

test('generated events carry the export fields with real types and timestamp formats', () => {
  const evs = [...generateAmplitudeEvents({ start: '2026-11-01T00', end: '2026-11-01T02', events: 600, duplicates: 3, seed: 7 })];
  assert.equal(evs.length, 603);
  const uuids = new Map<string, number>();
  let noInsertId = 0;
  let noSession = 0;
  let noFraction = 0;
  for (const { hourMs, event: e } of evs) {
    for (const k of ['uuid', 'event_type', 'device_id', 'event_time', 'server_upload_time', 'client_event_time', 'session_id', 'platform', 'os_name', 'country', 'city', 'event_properties', 'user_properties', 'amplitude_id', 'app']) {
      assert.ok(k in e, `field ${k}`);
    }
    assert.match(e.server_upload_time as string, TS);
    assert.match(e.event_time as string, TS);
    assert.match(e.client_event_time as string, TS);
    assert.equal(Date.parse((e.server_upload_time as string).replace(' ', 'T') + 'Z') - ((Date.parse((e.server_upload_time as string).replace(' ', 'T') + 'Z') % 3_600_000)), hourMs);
    assert.equal(typeof e.session_id, 'number');
    assert.match(e.uuid as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    if (!('$insert_id' in e)) noInsertId++;
    if (e.session_id === -1) noSession++;
    else assert.ok((e.session_id as number) > 1.7e12, 'session_id is ms epoch');
    if (!(e.event_time as string).includes('.')) noFraction++;
    uuids.set(e.uuid as string, (uuids.get(e.uuid as string) ?? 0) + 1);
  }
  assert.equal([...uuids.values()].filter((n) => n > 1).length, 3);
  assert.ok(noInsertId > 0 && noSession > 0 && noFraction > 0);
  // Deterministic.
  const again = [...generateAmplitudeEvents({ start: '2026-11-01T00', end: '2026-11-01T02', events: 600, duplicates: 3, seed: 7 })];
  assert.deepEqual(again[100], evs[100]);
});

test('the committed sample has the promised shape: 6 hours, two duplicate uuids, one malformed line', () => {
  assert.equal(SAMPLE_FILES.length, 6);
  const lines = SAMPLE_FILES.flatMap((f) => gunzipSync(readFileSync(join(SAMPLES, f))).toString().split('\n').filter(Boolean));
  let bad = 0;
  const seen = new Map<string, number>();
  for (const l of lines) {
    try {
      const u = (JSON.parse(l) as { uuid: string }).uuid;
      seen.set(u, (seen.get(u) ?? 0) + 1);
    } catch {
      bad++;
    }
  }
  assert.equal(bad, 1);
  assert.equal([...seen.values()].filter((n) => n > 1).length, 2);
  assert.ok(lines.length > 250);
});

test('dev server: Basic auth, 404 body for empty windows, zips with the real entry naming; serves an export zip too', async () => {
  const dir = tempDir();
  const srv = await startAmplitudeDevServer({ data: SAMPLES });
  try {
    const u = (s: string, e: string) => `${srv.url}/api/2/export?start=${s}&end=${e}`;
    assert.equal((await fetch(u('20261101T00', '20261101T01'))).status, 401);
    assert.equal((await fetch(u('20261101T00', '20261101T01'), { headers: auth('dev-api-key', 'wrong') })).status, 403);
    const empty = await fetch(u('20261105T00', '20261105T01'), { headers: auth() });
    assert.equal(empty.status, 404);
    assert.match(await empty.text(), /Raw data files were not found/);
    const res = await fetch(u('20261101T01', '20261101T02'), { headers: auth() });
    assert.equal(res.status, 200);
    const zipPath = join(dir, 'w.zip');
    writeFileSync(zipPath, Buffer.from(await res.arrayBuffer()));
    const names = await new Promise<string[]>((resolve, reject) => {
      yauzl.open(zipPath, { lazyEntries: false }, (err, zf) => {
        if (err) return reject(err);
        const n: string[] = [];
        zf.on('entry', (e: yauzl.Entry) => n.push(e.fileName));
        zf.on('end', () => resolve(n));
      });
    });
    assert.deepEqual(names, ['187520/187520_2026-11-01_1#0.json.gz', '187520/187520_2026-11-01_2#0.json.gz']);
  } finally {
    await srv.close();
  }
  // The same contract from an export zip as data.
  const big = join(dir, 'all.zip');
  const files = await writeAmplitudeHourlyFiles({ start: '2026-11-03T00', end: '2026-11-03T01', events: 40, eventsPerFile: 15, outDir: join(dir, 'gen') });
  assert.deepEqual(files.map((f) => f.baseName), ['187520_2026-11-03_0#0.json.gz', '187520_2026-11-03_0#1.json.gz', '187520_2026-11-03_1#0.json.gz', '187520_2026-11-03_1#1.json.gz']);
  await writeExportZip(files.map((f) => f.path), big);
  const srv2 = await startAmplitudeDevServer({ data: big });
  try {
    const r = await fetch(`${srv2.url}/api/2/export?start=20261103T01&end=20261103T01`, { headers: auth() });
    assert.equal(r.status, 200);
    assert.equal((await fetch(`${srv2.url}/api/2/export?start=20261101T00&end=20261101T00`, { headers: auth() })).status, 404);
  } finally {
    await srv2.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
