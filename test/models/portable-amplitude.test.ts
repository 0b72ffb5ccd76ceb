// The Amplitude gold after it became one portable definition (models/amplitude/gold_*.sql rendered per dialect by
// src/models/amplitude/gold.ts) must compute exactly what the DuckDB-only SQL computed before. The pre-change SQL is
// kept verbatim in test/models/portable-legacy-amplitude/ as the oracle; both run on the same cleaned fixture (a day
// split across arrival dts, a cross-dt duplicate, anonymous users, null platform/country, events at day edges) for all
// touched days and for a subset, and the embedded build's Parquet output is compared with the oracle too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listAll } from '../../src/core/storage.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { runTransform } from '../../src/layers/transform.ts';
import { runAggregate } from '../../src/layers/aggregate.ts';
import { sqlList } from '../../src/layers/sql-files.ts';
import { GOLD_TABLES, AMPLITUDE_GOLD_COLUMNS, amplitudeGoldSelect, touchedDatesSelect } from '../../src/models/amplitude/gold.ts';
import { MODEL_DIALECTS } from '../../src/models/dialect.ts';
import { ampEvent, ndjson, putRaw, withLake } from '../layers/helpers.ts';

const LEGACY = join(import.meta.dirname, 'portable-legacy-amplitude');
const legacySql = (name: string, vars: Record<string, string>) =>
  readFileSync(join(LEGACY, `${name}.sql`), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    assert.ok(k in vars, `legacy ${name}: {{${k}}}`);
    return vars[k]!;
  });

const at = (n: number, eventTime: string, over: Record<string, unknown> = {}) => ampEvent(n, { event_time: eventTime, ...over });

test('portable amplitude gold on DuckDB: identical to the pre-change DuckDB-only SQL (touched dates, both tables, all days and a subset, embedded output)', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson([
      ...Array.from({ length: 12 }, (_, i) => ampEvent(i)),
      at(20, '2022-11-14 23:59:59.999000', { user_id: null }),
      at(21, '2022-11-13 00:00:00', { platform: null }),
    ]));
    const late = { server_upload_time: '2022-11-15 00:30:00.000000' };
    await putRaw(ctx, 'amplitude', '2022-11-15', 0, 'b.json.gz', ndjson([
      ampEvent(0, late), // duplicate of an event that arrived on the 14th
      ...[12, 13].map((n) => ampEvent(n, late)),
      at(30, '2022-11-15 00:00:00', { ...late, user_id: 'user-0' }),
      at(31, '2022-11-15 12:00:00', { ...late, user_id: null, device_id: 'dev-x', country: null }),
      at(32, '2022-11-16 00:00:00', { ...late, user_id: 'user-new', platform: null, country: null }),
    ]));
    await runTransform(ctx, { source: 'amplitude' });
    const [s] = await runAggregate(ctx, { source: 'amplitude' });
    assert.deepEqual(s!.dts, ['2022-11-14', '2022-11-15']);

    const path = (k: string) => ctx.storage.localPath(k)!;
    const parts = (await listAll(ctx.storage, 'cleaned/amplitude/events/')).map((o) => path(o.key)).filter((p) => p.endsWith('.parquet'));
    const touchedParts = parts.filter((p) => p.includes('dt=2022-11-15'));
    assert.ok(parts.length >= 2 && touchedParts.length >= 1);
    const engine = await DuckDbEngine.open();
    try {
      await engine.run(`SET TimeZone = 'UTC'`);
      // Touched dates: the rebuilt arrival dt (15th) holds event days 14, 15, 16.
      const oldDates = await engine.all<{ event_date: string }>(legacySql('gold_touched_dates', { parts: sqlList(touchedParts) }));
      const newDates = await engine.all<{ event_date: string }>(touchedDatesSelect('duckdb', `read_parquet(${sqlList(touchedParts)}) AS cleaned`));
      assert.deepEqual(newDates, oldDates);
      assert.deepEqual(newDates.map((r) => r.event_date), ['2022-11-14', '2022-11-15', '2022-11-16']);

      for (const dates of [['2022-11-13', '2022-11-14', '2022-11-15', '2022-11-16'], ['2022-11-15']]) {
        const hi = new Date(Date.parse(`${dates.at(-1)}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
        const oldVars = {
          cleaned: sqlList(parts),
          lo: `TIMESTAMPTZ ${sqlString(`${dates[0]} 00:00:00+00`)}`,
          hi: `TIMESTAMPTZ ${sqlString(`${hi} 00:00:00+00`)}`,
          dates: dates.map(sqlString).join(', '),
        };
        for (const t of GOLD_TABLES) {
          const before = `(${legacySql(`gold_${t}`, oldVars)})`;
          const now = `(${amplitudeGoldSelect(t, 'duckdb', `read_parquet(${sqlList(parts)}) AS cleaned`, dates)})`;
          const describe = (q: string) => engine.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${q}`);
          const cols = await describe(now);
          assert.deepEqual(cols, await describe(before), `${t}: same columns and types`);
          assert.deepEqual(cols.map((c) => c.column_name), AMPLITUDE_GOLD_COLUMNS[t].map(([c]) => c), `${t}: AMPLITUDE_GOLD_COLUMNS order`);
          const [n] = await engine.all<{ a: number; b: number; d: number }>(`SELECT (SELECT count(*) FROM ${now} x) AS a, (SELECT count(*) FROM ${before} y) AS b, (SELECT count(DISTINCT dt) FROM ${now} z) AS d`);
          assert.equal(Number(n!.a), Number(n!.b), `${t} ${dates}: row count`);
          assert.equal(Number(n!.d), dates.length, `${t} ${dates}: a row set for every requested day and no other`);
          for (const [sql, label] of [[`SELECT * FROM ${now} x EXCEPT ALL SELECT * FROM ${before} y`, 'new rows not in legacy'], [`SELECT * FROM ${before} y EXCEPT ALL SELECT * FROM ${now} x`, 'legacy rows missing']] as const) {
            assert.deepEqual(await engine.all(sql), [], `${t} ${dates}: ${label}`);
          }
        }
      }

      // The embedded build (runAggregate above: dates from both dts = 13..16) wrote what the legacy SQL computes.
      const days = ['2022-11-13', '2022-11-14', '2022-11-15', '2022-11-16'];
      for (const t of GOLD_TABLES) {
        const files = (await listAll(ctx.storage, `aggregated/amplitude/${t}/`)).map((o) => path(o.key));
        assert.equal(files.length, days.length, `${t}: one partition per event day`);
        const written = `(SELECT * EXCLUDE (dt), CAST(dt AS VARCHAR) AS dt FROM read_parquet(${sqlList(files)}, hive_partitioning = true))`;
        const legacy = `(${legacySql(`gold_${t}`, { cleaned: sqlList(parts), lo: "TIMESTAMPTZ '2022-11-13 00:00:00+00'", hi: "TIMESTAMPTZ '2022-11-17 00:00:00+00'", dates: days.map(sqlString).join(', ') })})`;
        for (const sql of [`SELECT * FROM ${written} x EXCEPT ALL SELECT * FROM ${legacy} y`, `SELECT * FROM ${legacy} y EXCEPT ALL SELECT * FROM ${written} x`]) {
          assert.deepEqual(await engine.all(sql), [], `${t}: embedded output equals legacy`);
        }
      }
    } finally {
      await engine.close();
    }
  }));

test('portable amplitude gold: duckdb and trino renderings differ only in the source and the UTC day-start spelling; bad dates refused', () => {
  for (const t of GOLD_TABLES) {
    const dates = ['2024-01-02', '2024-01-01', '2024-01-02'];
    const duck = amplitudeGoldSelect(t, 'duckdb', 'SRC', dates);
    const trino = amplitudeGoldSelect(t, 'trino', 'SRC', dates);
    for (const s of [duck, trino]) {
      assert.doesNotMatch(s, /\{\{|\}\}|::|GROUP BY ALL/, `${t}: unfilled placeholder or non-portable syntax`);
      assert.match(s, /IN \('2024-01-01', '2024-01-02'\)/, `${t}: dates deduplicated and sorted`);
    }
    const norm = (s: string, d: 'duckdb' | 'trino') =>
      s.replaceAll(MODEL_DIALECTS[d].utcDayStart('2024-01-01'), 'LO').replaceAll(MODEL_DIALECTS[d].utcDayStart('2024-01-03'), 'HI');
    assert.equal(norm(duck, 'duckdb'), norm(trino, 'trino'), `${t}: one definition`);
    assert.match(trino, /event_time >= TIMESTAMP '2024-01-01 00:00:00' AND event_time < TIMESTAMP '2024-01-03 00:00:00'/);
    assert.throws(() => amplitudeGoldSelect(t, 'trino', 'SRC', ["2024-01-01' OR 1=1 --"]), /YYYY-MM-DD/);
    assert.throws(() => amplitudeGoldSelect(t, 'trino', 'SRC', []), /YYYY-MM-DD/);
  }
  assert.equal(touchedDatesSelect('trino', 'P'), touchedDatesSelect('duckdb', 'P'), 'touched dates: no dialect difference at all');
});
