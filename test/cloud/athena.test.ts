// Athena engine and Glue helper with the real AWS SDK clients against a local Athena/Glue JSON endpoint
// (test/cloud/athena-fake.ts), golden SQL, node-sql-parser where its grammar allows, and table discovery on a
// local lake with DuckDB-written Parquet. Nothing here ran against real Athena.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pkg from 'node-sql-parser';
import { startFakeAthena, FAKE_CREDENTIALS } from './athena-fake.ts';
import { AthenaEngine } from '../../src/engines/athena/athena-engine.ts';
import { AthenaApi } from '../../src/cloud/aws/athena.ts';
import { GlueApi } from '../../src/cloud/aws/glue.ts';
import { runCtas } from '../../src/engines/athena/ctas.ts';
import { chunk, ctasStatements, duckdbToHive, lit, projectionTableStatement, createDatabaseStatement } from '../../src/engines/athena/athena-sql.ts';
import { discoverLakeTables } from '../../src/engines/athena/lake-tables.ts';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.ts';
import { LocalStorage } from '../../src/storage/local/local-storage.ts';
import { LakeLayout, datesBetween } from '../../src/lake/layout.ts';

const { Parser } = pkg;
const parser = new Parser();
const GOLDEN = join(import.meta.dirname, 'golden');

async function golden(file: string, actual: string): Promise<void> {
  const p = join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN) await writeFile(p, actual);
  assert.equal(actual, await readFile(p, 'utf8'), `${file} differs (review, then UPDATE_GOLDEN=1 npm test -- athena)`);
}

function engineFor(endpoint: string, sleeps: number[] = [], extra: Partial<ConstructorParameters<typeof AthenaApi>[0]> = {}) {
  return new AthenaEngine({
    region: 'us-east-1',
    endpoint,
    workgroup: 'eventlake',
    database: 'eventlake',
    outputLocation: 's3://athena-results/eventlake/',
    kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/abcd',
    pollIntervalMs: 100,
    maxPollMs: 300,
    maxAttempts: 3,
    sleep: async (ms) => void sleeps.push(ms),
    clientConfig: { credentials: FAKE_CREDENTIALS },
    ...extra,
  });
}

test('athena: all() polls until SUCCEEDED, pages through GetQueryResults, skips the header row and converts types', async () => {
  const rows = Array.from({ length: 2500 }, (_, i) => [String(i), i % 2 ? 'true' : 'false', `${i}.5`, i % 10 ? `repo-${i}` : null, '9007199254740993']);
  const fake = await startFakeAthena({
    pollsBeforeDone: 3,
    results: () => ({
      columns: [
        { Name: 'id', Type: 'bigint' },
        { Name: 'flag', Type: 'boolean' },
        { Name: 'x', Type: 'double' },
        { Name: 'name', Type: 'varchar' },
        { Name: 'big', Type: 'bigint' },
      ],
      rows,
    }),
  });
  const sleeps: number[] = [];
  const engine = engineFor(fake.endpoint, sleeps);
  try {
    const out = await engine.all('SELECT id, flag, x, name, big FROM t WHERE dt = ?', ['2026-11-01']);
    assert.equal(out.length, 2500);
    assert.deepEqual(out[0], { id: 0, flag: false, x: 0.5, name: null, big: '9007199254740993' });
    assert.deepEqual(out[2499], { id: 2499, flag: true, x: 2499.5, name: 'repo-2499', big: '9007199254740993' });
    // 2501 rows incl. header at 1000 per page = 3 pages.
    assert.equal(fake.calls.filter((c) => c.target === 'AmazonAthena.GetQueryResults').length, 3);
    assert.equal(fake.calls.filter((c) => c.target === 'AmazonAthena.GetQueryExecution').length, 4);
    assert.deepEqual(sleeps, [100, 150, 225], 'poll delays grow ×1.5');
    const start = fake.calls.find((c) => c.target === 'AmazonAthena.StartQueryExecution')!.body;
    assert.equal(start.WorkGroup, 'eventlake');
    assert.deepEqual(start.QueryExecutionContext, { Database: 'eventlake' });
    assert.deepEqual(start.ResultConfiguration, {
      OutputLocation: 's3://athena-results/eventlake/',
      EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: 'arn:aws:kms:us-east-1:111122223333:key/abcd' },
    });
    assert.deepEqual(start.ExecutionParameters, ["'2026-11-01'"]);
    assert.equal(engine.history[0]?.dataScannedBytes, 1024);
  } finally {
    await engine.close();
    await fake.close();
  }
});

test('athena: a FAILED query becomes an EventlakeError with the reason; too many partitions gets its own code', async () => {
  const fake = await startFakeAthena({ pollsBeforeDone: 1 });
  const engine = engineFor(fake.endpoint);
  try {
    await assert.rejects(
      () => engine.run('SELECT nope FROM t -- FAIL_ME'),
      (e: Error & { code?: string; retryable?: boolean; context?: Record<string, unknown> }) =>
        /FAILED: COLUMN_NOT_FOUND/.test(e.message) && e.code === 'ATHENA_FAILED' && e.retryable === false && e.context?.errorCategory === 2,
    );
    await assert.rejects(() => engine.run('INSERT INTO t SELECT 1 -- FAIL_ME TOO_MANY'), (e: Error & { code?: string }) => e.code === 'TOO_MANY_PARTITIONS');
    await assert.rejects(() => engine.all('SELECT 1', { named: 1 }), /positional/);
  } finally {
    await engine.close();
    await fake.close();
  }
});

test('athena: a throttled StartQueryExecution (TooManyRequestsException) is retried by the SDK', async () => {
  const fake = await startFakeAthena({ throttleStarts: 1, pollsBeforeDone: 0 });
  const engine = engineFor(fake.endpoint);
  try {
    await engine.run('CREATE DATABASE IF NOT EXISTS `eventlake`');
    assert.equal(fake.calls.filter((c) => c.target === 'AmazonAthena.StartQueryExecution').length, 2);
  } finally {
    await engine.close();
    await fake.close();
  }
});

test('athena: CTAS over 250 dts = drop Glue table, empty location, one CTAS of 100 then INSERT INTO of 100 and 50', async () => {
  const fake = await startFakeAthena({ pollsBeforeDone: 0, glueTables: new Set(['eventlake.fact_events']) });
  const engine = engineFor(fake.endpoint);
  const glue = new GlueApi({ region: 'us-east-1', endpoint: fake.endpoint, clientConfig: { credentials: FAKE_CREDENTIALS } });
  let cleared = 0;
  try {
    const dts = datesBetween('2026-01-01', '2026-09-07');
    assert.equal(dts.length, 250);
    const r = await runCtas(
      engine,
      { database: 'eventlake', table: 'fact_events', select: 'SELECT repo_id, count(*) AS n, dt FROM cleaned_github_events GROUP BY repo_id, dt', location: 's3://lake/aggregated/github/fact_events/', dts },
      { glue, clearLocation: async () => (cleared++, 7) },
    );
    assert.equal(r.droppedTable, true);
    assert.equal(r.clearedObjects, 7);
    assert.equal(cleared, 1);
    assert.equal(fake.glueTables.size, 0);
    const sqls = fake.calls.filter((c) => c.target === 'AmazonAthena.StartQueryExecution').map((c) => String(c.body.QueryString));
    assert.equal(sqls.length, 3);
    assert.match(sqls[0]!, /^CREATE TABLE "eventlake"\."fact_events"\nWITH \(/);
    assert.match(sqls[1]!, /^INSERT INTO "eventlake"\."fact_events"/);
    assert.match(sqls[2]!, /^INSERT INTO/);
    const counts = sqls.map((s) => (s.match(/'\d{4}-\d{2}-\d{2}'/g) ?? []).length);
    assert.deepEqual(counts, [100, 100, 50]);
    const covered = sqls.flatMap((s) => s.match(/\d{4}-\d{2}-\d{2}/g) ?? []);
    assert.deepEqual([...new Set(covered)].sort(), dts, 'every dt exactly once');
    assert.equal(covered.length, 250);
    // The Glue call happened before the CTAS.
    const order = fake.calls.map((c) => c.target);
    assert.ok(order.indexOf('AWSGlue.DeleteTable') < order.indexOf('AmazonAthena.StartQueryExecution'));
    // A second rebuild: the table no longer exists in Glue, which is fine.
    const again = await runCtas(engine, { database: 'eventlake', table: 'fact_events', select: 'SELECT 1 AS n, dt FROM x', location: 's3://lake/agg/', dts: ['2026-01-01'] }, { glue });
    assert.equal(again.droppedTable, false);
  } finally {
    glue.destroy();
    await engine.close();
    await fake.close();
  }
});

test('athena: a failing INSERT chunk names the chunk and says a rerun is safe', async () => {
  const fake = await startFakeAthena({ pollsBeforeDone: 0 });
  const engine = engineFor(fake.endpoint);
  try {
    await assert.rejects(
      () => runCtas(engine, { database: 'eventlake', table: 't', select: 'SELECT 1 AS n, dt FROM x -- FAIL_ME', location: 's3://lake/t/', dts: ['2026-01-01'] }),
      (e: Error & { next?: string }) => /CTAS for eventlake\.t failed/.test(e.message) && /rerun is safe/.test(e.next ?? ''),
    );
  } finally {
    await engine.close();
    await fake.close();
  }
});

const SELECT = 'SELECT repo_id, event_type, count(*) AS event_count, dt\nFROM "eventlake"."cleaned_github_events"\nGROUP BY repo_id, event_type, dt';

test('athena: CTAS/INSERT and projection DDL match golden files', async () => {
  const ctas = ctasStatements({ database: 'eventlake', table: 'fact_events', select: SELECT, location: 's3://lake-bucket/aggregated/github/fact_events/', dts: ['2026-11-03', '2026-11-01', '2026-11-02'], chunkSize: 2 });
  await golden('athena-ctas.sql', ctas.map((s) => `${s};\n`).join('\n'));
  const ddl = [
    createDatabaseStatement('eventlake'),
    projectionTableStatement({
      database: 'eventlake',
      table: 'cleaned_github_events',
      columns: [
        { name: 'id', type: 'string' },
        { name: 'repo_id', type: 'bigint' },
        { name: 'payload', type: 'string' },
        { name: 'created_at', type: 'timestamp' },
        { name: 'dt', type: 'string' },
      ],
      location: 's3://lake-bucket/cleaned/github/events/',
    }),
    projectionTableStatement({ database: 'eventlake', table: 'aggregated_github_dim_repo', columns: [{ name: 'repo_id', type: 'bigint' }], location: 's3://lake-bucket/aggregated/github/dim_repo/', partitioned: false }),
  ];
  await golden('athena-setup.sql', ddl.map((s) => `${s};\n`).join('\n'));
  assert.match(ddl[1]!, /'projection\.dt\.range' = 'NOW-3YEARS,NOW'/);
  assert.match(ddl[1]!, /'storage\.location\.template' = 's3:\/\/lake-bucket\/cleaned\/github\/events\/dt=\$\{dt\}\/'/);
  assert.doesNotMatch(ddl[1]!, /`dt` string,/, 'dt is only the partition column');
});

// node-sql-parser (athena dialect) cannot read CTAS `WITH (…) AS` nor Hive `CREATE EXTERNAL TABLE … PARTITIONED BY …
// TBLPROPERTIES`; the SELECT part of the CTAS, the INSERT INTO chunks and CREATE DATABASE are parsed.
test('athena: generated SQL parses with node-sql-parser (athena dialect) where the grammar allows', () => {
  const [ctas, insert] = ctasStatements({ database: 'eventlake', table: 'fact_events', select: SELECT, location: 's3://lake-bucket/x/', dts: ['2026-11-01', '2026-11-02'], chunkSize: 1 });
  assert.throws(() => parser.astify(ctas!, { database: 'athena' }), Error, 'CTAS parses now: tighten this test');
  const asSelect = ctas!.slice(ctas!.indexOf(') AS\n') + 5);
  const sel = parser.astify(asSelect, { database: 'athena' }) as unknown as { type: string };
  assert.equal(sel.type, 'select');
  const ins = parser.astify(insert!, { database: 'athena' }) as unknown as { type: string };
  assert.equal(ins.type, 'insert');
  parser.astify(createDatabaseStatement('eventlake'), { database: 'athena' });
});

test('athena: quoting and validation refuse unsafe names, dts, locations and types', () => {
  assert.equal(lit("o'brien"), "'o''brien'");
  assert.throws(() => ctasStatements({ database: 'eventlake', table: 'Bad-Name', select: 'SELECT 1', location: 's3://bkt/x/', dts: ['2026-01-01'] }), /invalid Glue/);
  assert.throws(() => ctasStatements({ database: 'eventlake', table: 't', select: 'SELECT 1', location: 's3://bkt/x/', dts: ["2026-01-01' OR 1=1 --"] }), /invalid dt/);
  assert.throws(() => ctasStatements({ database: 'eventlake', table: 't', select: 'SELECT 1', location: "s3://bkt/x'/", dts: ['2026-01-01'] }), /invalid S3 location/);
  assert.throws(() => projectionTableStatement({ database: 'e', table: 't', columns: [{ name: 'a', type: "string) LOCATION 's3://evil/'" }], location: 's3://bkt/x/' }), /invalid Hive type/);
  assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.throws(() => chunk([1], 101), /1\.\.100/);
});

test('athena: DuckDB types map to Hive types', () => {
  assert.equal(duckdbToHive('VARCHAR'), 'string');
  assert.equal(duckdbToHive('BIGINT'), 'bigint');
  assert.equal(duckdbToHive('TIMESTAMP WITH TIME ZONE'), 'timestamp');
  assert.equal(duckdbToHive('DECIMAL(18,3)'), 'decimal(18,3)');
  assert.equal(duckdbToHive('VARCHAR[]'), 'array<string>');
  assert.equal(duckdbToHive('STRUCT(id BIGINT, "Login" VARCHAR)'), 'struct<id:bigint,login:string>');
  assert.equal(duckdbToHive('MAP(VARCHAR, INTEGER)'), 'map<string,int>');
});

test('athena: setup discovers lake Parquet tables and their columns (DuckDB), and the CLI prints the DDL', async () => {
  const root = await mkdtemp(join(tmpdir(), 'el-athena-'));
  const duck = await DuckDbEngine.open();
  try {
    const lake = join(root, 'lake');
    const storage = new LocalStorage({ root: lake, fsync: false });
    await storage.put('cleaned/github/events/.keep', '');
    await storage.put('aggregated/github/dim_repo/.keep', '');
    const ev = join(lake, 'cleaned', 'github', 'events');
    await duck.run(
      `COPY (SELECT 'e' || i AS id, i::BIGINT AS repo_id, TIMESTAMP '2026-11-01 00:00:00' + INTERVAL (i) HOUR AS created_at, ['a','b'] AS tags, strftime(DATE '2026-11-01' + (i % 3)::INTEGER, '%Y-%m-%d') AS dt FROM range(10) t(i)) TO '${ev}' (FORMAT PARQUET, PARTITION_BY (dt), OVERWRITE_OR_IGNORE)`,
    );
    await duck.run(`COPY (SELECT 1::BIGINT AS repo_id, 'o/r' AS repo_name) TO '${join(lake, 'aggregated', 'github', 'dim_repo', 'part-0.parquet')}' (FORMAT PARQUET)`);
    const tables = await discoverLakeTables(storage, new LakeLayout(), duck, root);
    assert.deepEqual(tables.map((t) => [t.glueName, t.partitioned]), [['aggregated_github_dim_repo', false], ['cleaned_github_events', true]]);
    assert.deepEqual(tables[1]!.columns, [
      { name: 'id', type: 'string' },
      { name: 'repo_id', type: 'bigint' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'tags', type: 'array<string>' },
    ]);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', '--lake', lake, 'athena', 'setup', '--print', '--location-base', 's3://lake-bucket/'],
      { cwd: join(import.meta.dirname, '..', '..'), env: { ...process.env, EVENTLAKE_LOG_LEVEL: 'silent' } },
    );
    assert.match(stdout, /CREATE DATABASE IF NOT EXISTS `eventlake`;/);
    assert.match(stdout, /CREATE EXTERNAL TABLE IF NOT EXISTS `eventlake`\.`cleaned_github_events` \(\n  `id` string,\n  `repo_id` bigint,\n  `created_at` timestamp,\n  `tags` array<string>\n\)/);
    assert.match(stdout, /LOCATION 's3:\/\/lake-bucket\/cleaned\/github\/events\/'/);
    assert.match(stdout, /`aggregated_github_dim_repo`[\s\S]*LOCATION 's3:\/\/lake-bucket\/aggregated\/github\/dim_repo\/'\nTBLPROPERTIES \('parquet\.compression' = 'SNAPPY'\)/);
  } finally {
    await duck.close();
    await rm(root, { recursive: true, force: true });
  }
});
