// The embedded warehouse load: amplitude_raw with file name + row number, load history skip, --force, ON_ERROR modes,
// gold tables copied into the warehouse file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.ts';
import { warehouse, warehousePath } from '../../src/warehouse/duckdb/duckdb-warehouse.ts';
import { runTransform } from '../../src/layers/transform.ts';
import { runAggregate } from '../../src/layers/aggregate.ts';
import { EventlakeError } from '../../src/core/errors.ts';
import type { Context } from '../../src/cli/context.ts';
import { ampEvent, ndjson, putRaw, withLake } from './helpers.ts';

async function wh<T>(ctx: Context, sql: string): Promise<T[]> {
  const e = await DuckDbEngine.open({ path: warehousePath(ctx) });
  try {
    return (await e.all(sql)) as T[];
  } finally {
    await e.close();
  }
}

test('load duckdb: one JSON value per event with file name and row number; loaded files skipped; --force replaces', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson([ampEvent(1), ampEvent(2), ampEvent(3)]));
    await putRaw(ctx, 'amplitude', '2022-11-14', 11, 'b.json.gz', ndjson([ampEvent(4)]));
    await runTransform(ctx, {});
    await runAggregate(ctx, {});
    const s1 = await warehouse.load(ctx, {});
    assert.deepEqual(s1.files.map((f) => [f.file, f.status, f.rowsLoaded]), [
      ['raw/amplitude/dt=2022-11-14/hour=10/a.json.gz', 'LOADED', 3],
      ['raw/amplitude/dt=2022-11-14/hour=11/b.json.gz', 'LOADED', 1],
    ]);
    assert.deepEqual(s1.gold, { amplitude_daily_active_users: 1, amplitude_daily_events: 3 });
    const rows = await wh<{ f: string; n: number; uuid: string; t: string }>(
      ctx,
      `SELECT file_name AS f, file_row_number AS n, raw->>'$.uuid' AS uuid, typeof(raw) AS t FROM amplitude_raw ORDER BY f, n`,
    );
    assert.deepEqual(
      rows.map((r) => `${r.f.split('/').pop()}#${r.n}=${r.uuid.slice(-2)}:${r.t}`),
      ['a.json.gz#1=01:JSON', 'a.json.gz#2=02:JSON', 'a.json.gz#3=03:JSON', 'b.json.gz#1=04:JSON'],
    );

    // A new file arrives: only it loads; the others are skipped by the load history.
    await putRaw(ctx, 'amplitude', '2022-11-15', 0, 'c.json.gz', ndjson([ampEvent(5), ampEvent(6)]));
    const s2 = await warehouse.load(ctx, { gold: false });
    assert.deepEqual(s2.files.map((f) => f.status), ['SKIPPED', 'SKIPPED', 'LOADED']);
    assert.equal(s2.rowsLoaded, 2);

    // --force reloads every file, replacing its rows instead of duplicating them.
    const s3 = await warehouse.load(ctx, { force: true, gold: false });
    assert.deepEqual(s3.files.map((f) => f.status), ['LOADED', 'LOADED', 'LOADED']);
    const [c] = await wh<{ n: number; d: number }>(ctx, `SELECT count(*) AS n, count(DISTINCT raw->>'$.uuid') AS d FROM amplitude_raw`);
    assert.deepEqual(c, { n: 6, d: 6 });
    const hist = await wh<{ n: number }>(ctx, `SELECT count(*) AS n FROM _eventlake_load_history`);
    assert.equal(hist[0]!.n, 2 + 1 + 3, 'one history row per file load (skips are not loads)');
  }));

const badFile = () =>
  Buffer.concat([
    Buffer.from(JSON.stringify(ampEvent(1)) + '\n{"uuid": broken\n'),
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]), // {"a":"\xff"} invalid UTF-8
    Buffer.from(JSON.stringify(ampEvent(2)) + '\n' + JSON.stringify(ampEvent(3)).slice(0, 40)), // truncated last line
  ]);

test('ON_ERROR abort: nothing from the load is kept and the error names file, line and reason', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson([ampEvent(10)]));
    await putRaw(ctx, 'amplitude', '2022-11-14', 11, 'bad.json.gz', badFile());
    await assert.rejects(warehouse.load(ctx, { onError: 'abort', gold: false }), (e: unknown) => {
      assert.ok(e instanceof EventlakeError);
      assert.match(e.message, /raw\/amplitude\/dt=2022-11-14\/hour=11\/bad\.json\.gz line 2: malformed JSON/);
      return true;
    });
    const [c] = await wh<{ n: number }>(ctx, `SELECT count(*) AS n FROM amplitude_raw`);
    assert.equal(c!.n, 0);
  }));

test('ON_ERROR skip_file loads nothing from a bad file; continue loads its good lines and counts the bad ones', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson([ampEvent(10)]));
    await putRaw(ctx, 'amplitude', '2022-11-14', 11, 'bad.json.gz', badFile());
    const skip = await warehouse.load(ctx, { onError: 'skip_file', gold: false });
    assert.deepEqual(skip.files.map((f) => [f.status, f.rowsLoaded, f.errors]), [
      ['LOADED', 1, 0],
      ['LOAD_FAILED', 0, 3],
    ]);
    // A failed file is not in the "loaded" history: the next run tries it again.
    const cont = await warehouse.load(ctx, { onError: 'continue', gold: false });
    assert.deepEqual(cont.files.map((f) => [f.status, f.rowsLoaded, f.errors, f.firstError?.line]), [
      ['SKIPPED', 0, 0, undefined],
      ['PARTIALLY_LOADED', 2, 3, 2],
    ]);
    const rows = await wh<{ n: number }>(ctx, `SELECT file_row_number AS n FROM amplitude_raw WHERE file_name LIKE '%bad.json.gz' ORDER BY 1`);
    assert.deepEqual(rows.map((r) => r.n), [1, 4]);
  }));
