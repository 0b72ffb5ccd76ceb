// The GitHub gold build after it became one portable definition (models/github/gold_*.sql rendered per dialect by
// src/models/github/gold-sql.ts) must write exactly what the DuckDB-only SQL wrote before. The pre-change SQL is kept
// verbatim in test/models/portable-legacy-gold/ as the oracle; both run on the same cleaned fixture (the 2012 timeline,
// 2013 GH Archive and 2025 modern samples) and every table is compared: columns and types, row counts, sums, and
// full contents (EXCEPT ALL both ways).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { GOLD_COLUMNS, goldSelect, type GoldTableName } from '../../src/models/github/gold-sql.ts';
import { DT_MODERN, DT_TIMELINE, harness, writeModernRaw, writeTimelineRaw } from './github/fixtures.ts';

const FIXTURE_2013 = new URL('../fixtures/github-events-2013.json.gz', import.meta.url).pathname;
const DT_2013 = '2013-01-10';
const LEGACY = join(import.meta.dirname, 'portable-legacy-gold');
const legacySql = (name: string, vars: Record<string, string>) =>
  readFileSync(join(LEGACY, `${name}.sql`), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    assert.ok(k in vars, `legacy ${name}: {{${k}}}`);
    return vars[k]!;
  });

test('portable gold on DuckDB: identical to the pre-change DuckDB-only SQL on the fixture (schema, counts, sums, contents)', async () => {
  const h = await harness();
  try {
    await h.clean(DT_TIMELINE, writeTimelineRaw(h.root));
    await h.clean(DT_2013, [FIXTURE_2013]);
    await h.clean(DT_MODERN, writeModernRaw(h.root));
    const dts = [DT_TIMELINE, DT_2013, DT_MODERN];
    const rows = await h.aggregate(dts);

    // The legacy build, the way aggregated.ts ran it before.
    const legacy = join(h.root, 'legacy');
    const userKey = legacySql('user_key', {}).split('\n').filter((l) => !l.trim().startsWith('--')).join(' ').trim();
    const files: Record<string, string[]> = { fact_events: [], repo_daily: [], user_daily: [] };
    for (const dt of dts) {
      for (const t of Object.keys(files)) {
        const dir = join(legacy, t, `dt=${dt}`);
        mkdirSync(dir, { recursive: true });
        const out = join(dir, 'part-0.parquet');
        await h.engine.run(legacySql(`gold_${t}`, { events: sqlString(join(h.cleanedRoot, 'events', `dt=${dt}`, '*.parquet')), dt: `DATE ${sqlString(dt)}`, user_key: userKey, codec: "'zstd'", out: sqlString(out) }));
        files[t]!.push(out);
      }
    }
    for (const [t, src] of [['dim_repo', 'repo_daily'], ['dim_user', 'user_daily'], ['dim_date', 'fact_events']] as const) {
      mkdirSync(join(legacy, t), { recursive: true });
      await h.engine.run(legacySql(`gold_${t}`, { [src]: `[${files[src]!.map(sqlString).join(', ')}]`, codec: "'zstd'", out: sqlString(join(legacy, t, 'part-0.parquet')) }));
    }

    const glob = (root: string, t: GoldTableName) => sqlString(GOLD_COLUMNS[t][0]![0] === 'dt' ? join(root, t, '*', '*.parquet') : join(root, t, '*.parquet'));
    for (const t of Object.keys(GOLD_COLUMNS) as GoldTableName[]) {
      const now = `read_parquet(${glob(h.aggregatedRoot, t)}, hive_partitioning = false)`;
      const before = `read_parquet(${glob(legacy, t)}, hive_partitioning = false)`;
      const describe = (src: string) => h.engine.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${src}`);
      assert.deepEqual(await describe(now), await describe(before), `${t}: same columns and types`);
      const [n] = await h.engine.all<{ a: number; b: number }>(`SELECT (SELECT count(*) FROM ${now}) AS a, (SELECT count(*) FROM ${before}) AS b`);
      assert.equal(Number(n!.a), Number(n!.b), `${t}: row count`);
      assert.ok(Number(n!.a) > 0, `${t}: the fixture produces rows`);
      if (t in rows) assert.equal(rows[t], Number(n!.a), `${t}: buildAggregated reports the rows it wrote`);
      for (const [dir, label] of [[`SELECT * FROM ${now} EXCEPT ALL SELECT * FROM ${before}`, 'new rows not in legacy'], [`SELECT * FROM ${before} EXCEPT ALL SELECT * FROM ${now}`, 'legacy rows missing']] as const) {
        assert.deepEqual(await h.engine.all(dir), [], `${t}: ${label}`);
      }
    }
    const sums = async (root: string) =>
      (await h.engine.all<{ e: number; s: number }>(`SELECT sum(f.event_count) AS e, (SELECT sum(stars) FROM read_parquet(${glob(root, 'repo_daily')})) AS s FROM read_parquet(${glob(root, 'fact_events')}) f`))[0];
    assert.deepEqual(await sums(h.aggregatedRoot), await sums(legacy), 'event and star sums');
    assert.ok(readdirSync(join(h.aggregatedRoot, 'fact_events')).length === 3);
  } finally {
    await h.close();
  }
});

test('portable gold: each table renders for duckdb and trino with every macro filled, differing only in the dialect spellings', async () => {
  const { MODEL_DIALECTS, renderModel } = await import('../../src/models/dialect.ts');
  for (const t of Object.keys(GOLD_COLUMNS) as GoldTableName[]) {
    const duck = goldSelect(t, 'duckdb', 'SRC');
    const trino = goldSelect(t, 'trino', 'SRC');
    for (const s of [duck, trino]) assert.doesNotMatch(s, /\{\{|\}\}/, `${t}: unfilled placeholder`);
    // Undo the known spellings: what remains must be the same text (one definition, not two).
    const norm = (s: string, d: 'duckdb' | 'trino') => {
      const m = MODEL_DIALECTS[d];
      let out = s.replaceAll(`${m.functions.regexp_like}(`, 'REGEXP_LIKE(').replaceAll(`${m.functions.isodow}(`, 'ISODOW(');
      out = out.replace(d === 'duckdb' ? /CAST\(\('0x' \|\| substr\(md5\(lower\(actor_login\)\), 1, 13\)\) AS BIGINT\)/g : /from_base\(substr\(to_hex\(md5\(to_utf8\(lower\(actor_login\)\)\)\), 1, 13\), 16\)/g, 'MD5_52');
      return out.replace(d === 'duckdb' ? /generate_series\(CAST\(bounds\.lo AS TIMESTAMP\), CAST\(bounds\.hi AS TIMESTAMP\), INTERVAL '1' DAY\) AS g\(d\)/ : /UNNEST\(sequence\(bounds\.lo, bounds\.hi, INTERVAL '1' DAY\)\) AS g\(d\)/, 'DAYS');
    };
    assert.equal(norm(duck, 'duckdb'), norm(trino, 'trino'), `${t}: the dialects differ beyond the macros`);
  }
  assert.throws(() => renderModel('models/x.sql', 'SELECT {{nope}}', MODEL_DIALECTS.trino, {}), /models\/x\.sql: no value for \{\{nope\}\} \(dialect trino\)/);
  assert.throws(() => renderModel('models/x.sql', 'FROM {{day_series:a}}', MODEL_DIALECTS.duckdb, {}), /takes two arguments/);
});
