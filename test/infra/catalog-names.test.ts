// One naming rule for the Glue catalog (catalogTableName, src/models/gold-schema.ts): every writer of the catalog —
// the CDK Catalog stack, `eventlake athena setup`, `athena aggregate` (library and CLI), the CDK pipeline's INSERTs and
// the Redshift loader — names each lake table the same way, and the bare gold names stay free for the query views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CATALOG_TABLES } from '../../infra/lib/catalog-tables.ts';
import { pipelineGoldSql } from '../../infra/lib/pipeline-stack.ts';
import { discoverLakeTables } from '../../src/engines/athena/lake-tables.ts';
import { planAthenaAmplitudeGold, planAthenaGold } from '../../src/engines/athena/gold.ts';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.ts';
import { LocalStorage } from '../../src/storage/local/local-storage.ts';
import { LakeLayout } from '../../src/lake/layout.ts';
import { DIM_TABLES, PER_DT_TABLES } from '../../src/models/github/gold-sql.ts';
import { GOLD_TABLES as AMPLITUDE_GOLD_TABLES } from '../../src/models/amplitude/gold.ts';
import { GOLD_TABLES as WAREHOUSE_GOLD_TABLES } from '../../src/warehouse/gold-tables.ts';

const layout = new LakeLayout();
/** CDK tables over the Parquet layers (raw JSON is CDK-only): their lake prefix → Glue name. */
const cdkParquet = CATALOG_TABLES.filter((t) => t.format === 'parquet').map((t) => ({ name: t.name, prefix: t.location(layout.prefixes) + '/', partitioned: t.partitions.includes('dt') }));
const cdkNames = new Set(CATALOG_TABLES.map((t) => t.name));
const GITHUB_GOLD = [...PER_DT_TABLES, ...DIM_TABLES];

test('athena setup names every lake table as the CDK Catalog stack does (one Parquet file per CDK table location)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'el-catalog-names-'));
  const duck = await DuckDbEngine.open();
  try {
    const lake = join(root, 'lake');
    const storage = new LocalStorage({ root: lake, fsync: false });
    for (const t of cdkParquet) {
      const dir = join(lake, ...t.prefix.split('/').filter(Boolean), ...(t.partitioned ? ['dt=2026-11-01'] : []));
      await storage.put(`${t.prefix}${t.partitioned ? 'dt=2026-11-01/' : ''}.keep`, '');
      await duck.run(`COPY (SELECT 1::BIGINT AS repo_id) TO '${join(dir, 'part-0.parquet')}' (FORMAT PARQUET)`);
    }
    const found = await discoverLakeTables(storage, layout, duck, root);
    assert.equal(found.length, cdkParquet.length, 'one setup table per CDK Parquet table');
    for (const t of cdkParquet) {
      const mine = found.find((f) => f.prefix === t.prefix);
      assert.ok(mine, `athena setup did not find ${t.prefix}`);
      assert.equal(mine.glueName, t.name, `${t.prefix}: athena setup names it ${mine.glueName}, the CDK catalog ${t.name}`);
      assert.equal(mine.partitioned, t.partitioned, `${t.prefix}: partitioned`);
    }
  } finally {
    await duck.close();
    await rm(root, { recursive: true, force: true });
  }
});

test('athena aggregate (library defaults), the CDK pipeline and the Redshift loader write and read the CDK tables', () => {
  const loc = (t: string) => `s3://lake-bucket/aggregated/x/${t}/`;
  const github = planAthenaGold({ database: 'eventlake', dts: ['2026-11-01'], location: loc, existing: new Set() });
  const githubTargets = new Set(github.filter((s) => s.kind === 'sql').map((s) => s.table));
  assert.deepEqual([...githubTargets].sort(), cdkParquet.filter((t) => t.prefix.startsWith('aggregated/github/')).map((t) => t.name).sort());
  const events = CATALOG_TABLES.find((t) => t.location(layout.prefixes) === `${layout.prefixes.cleaned}/github/events`)!.name;
  const perDt = new Set(PER_DT_TABLES.map((t) => cdkParquet.find((c) => c.prefix === `${layout.prefixes.aggregated}/github/${t}/`)!.name));
  for (const s of github) if (s.kind === 'sql' && perDt.has(s.table)) assert.ok(s.sql.includes(`"eventlake"."${events}"`), `${s.table} reads ${events}`);
  const amplitude = planAthenaAmplitudeGold({ database: 'eventlake', dates: ['2026-11-01'], location: loc, existing: new Set() });
  for (const s of amplitude) assert.ok(cdkNames.has(s.table), `athena aggregate --source amplitude writes ${s.table}, not a CDK table`);
  assert.equal(new Set(amplitude.map((s) => s.table)).size, AMPLITUDE_GOLD_TABLES.length);
  for (const g of pipelineGoldSql()) {
    const into = /^INSERT INTO "([^"]+)"/.exec(g.sql)?.[1];
    assert.ok(into && cdkNames.has(into) && githubTargets.has(into), `pipeline ${g.table} writes ${into}`);
  }
  for (const t of WAREHOUSE_GOLD_TABLES) assert.ok(cdkNames.has(t.catalogName), `Redshift loader reads ${t.domain}.${t.name} from ${t.catalogName}, not a CDK table`);
});

test('the bare gold names (the views `athena setup` adds for the named queries) are never catalog table names', () => {
  for (const t of GITHUB_GOLD) assert.ok(!cdkNames.has(t), `${t} is both a CDK table and the name of the query view`);
});

test('`eventlake athena aggregate --print` (CLI) targets the CDK catalog tables', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', '--lake', join(tmpdir(), 'el-catalog-names-none'), 'athena', 'aggregate', '--from', '2026-11-01', '--print', '--location-base', 's3://lake-bucket/'],
    { cwd: join(import.meta.dirname, '..', '..'), env: { ...process.env, EVENTLAKE_LOG_LEVEL: 'silent', EVENTLAKE_CONFIG: '' } },
  );
  const created = [...stdout.matchAll(/^CREATE TABLE "eventlake"\."([^"]+)"/gm)].map((m) => m[1]!);
  assert.equal(created.length, GITHUB_GOLD.length, stdout.slice(0, 500));
  for (const name of created) assert.ok(cdkNames.has(name), `the CLI creates ${name}, not a CDK catalog table`);
});
