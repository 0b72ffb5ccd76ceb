// The Amplitude gold on Athena (src/engines/athena/gold.ts planAthenaAmplitudeGold, the CLI's --source amplitude):
// the same model SELECTs as DuckDB (models/amplitude/gold_*.sql), keyed by event day. Checked against the local
// Athena/Glue endpoint (test/cloud/athena-fake.ts) with the real AWS SDK clients: the touched-dates query over the
// window's arrival dts, then CTAS / INSERT INTO per ≤100 event days with each chunk's dt=…/ deleted first, the exact
// statements, a failure half-way, the --print output (golden) and node-sql-parser's trino grammar. Not run on real Athena.
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
import { amplitudeTouchedDatesQuery, planAthenaAmplitudeGold, runAthenaGold, type GoldStep } from '../../src/engines/athena/gold.ts';
import { AMPLITUDE_GOLD_COLUMNS, GOLD_TABLES, amplitudeGoldSelect } from '../../src/models/amplitude/gold.ts';
import { datesBetween } from '../../src/lake/layout.ts';
import { EventlakeError } from '../../src/core/errors.ts';

const { Parser } = pkg;
const parser = new Parser();
const GOLDEN = join(import.meta.dirname, 'golden');
const loc = (t: string) => `s3://lake-bucket/aggregated/amplitude/${t}/`;
const days250 = datesBetween('2024-01-01', '2024-09-06');
const SRC = '"eventlake"."amplitude_events" AS "cleaned"';
const daysIn = (sql: string) => [...(/AS VARCHAR\) IN \(([^)]*)\)/.exec(sql)?.[1] ?? '').matchAll(/'(\d{4}-\d{2}-\d{2})'/g)].map((m) => m[1]!);
const sqlSteps = (steps: GoldStep[]) => steps.filter((s): s is Extract<GoldStep, { kind: 'sql' }> => s.kind === 'sql');
/** node-sql-parser reads no CTAS "WITH (…) AS": the SELECT after it is checked instead. */
const parseTrino = (s: string) => parser.astify(s.startsWith('CREATE TABLE') ? s.slice(s.indexOf(') AS\n') + 5) : s, { database: 'trino' });

test('athena amplitude gold: first build of 250 event days = CTAS 100 + INSERT 100 + INSERT 50 per table, each the shared model over every amplitude_events partition', () => {
  const steps = planAthenaAmplitudeGold({ database: 'eventlake', dates: [...days250].reverse(), location: loc, existing: new Set() });
  const sqls = sqlSteps(steps);
  assert.deepEqual(steps.map((s) => `${s.kind} ${s.table} ${s.kind === 'sql' ? s.verb : ''} ${s.dts?.length ?? '-'}`), [
    'clear amplitude_daily_events  -', 'sql amplitude_daily_events CTAS 100', 'sql amplitude_daily_events INSERT 100', 'sql amplitude_daily_events INSERT 50',
    'clear amplitude_daily_active_users  -', 'sql amplitude_daily_active_users CTAS 100', 'sql amplitude_daily_active_users INSERT 100', 'sql amplitude_daily_active_users INSERT 50',
  ]);
  for (const t of GOLD_TABLES) {
    const mine = sqls.filter((s) => s.table === `amplitude_${t}`);
    assert.deepEqual(mine.flatMap((s) => daysIn(s.sql)), days250, `${t}: every event day exactly once, in order`);
    const cols = AMPLITUDE_GOLD_COLUMNS[t].map(([c]) => `"${c}"`).join(', ');
    assert.equal(mine[0]!.sql, [
      `CREATE TABLE "eventlake"."amplitude_${t}"`, 'WITH (', "  format = 'PARQUET',", "  write_compression = 'SNAPPY',",
      `  external_location = 's3://lake-bucket/aggregated/amplitude/${t}/',`, "  partitioned_by = ARRAY['dt']", ') AS',
      `SELECT ${cols}`, 'FROM (', amplitudeGoldSelect(t, 'trino', SRC, mine[0]!.dts!), ') AS "m"',
    ].join('\n'));
    assert.equal(mine[2]!.sql, `INSERT INTO "eventlake"."amplitude_${t}" (${cols})\nSELECT ${cols}\nFROM (\n${amplitudeGoldSelect(t, 'trino', SRC, days250.slice(200))}\n) AS "m"`);
    assert.match(mine[2]!.sql, /event_time >= TIMESTAMP '2024-07-19 00:00:00' AND event_time < TIMESTAMP '2024-09-07 00:00:00'/);
    for (const s of mine) assert.doesNotThrow(() => parseTrino(s.sql), s.sql.split('\n')[0]);
  }
  assert.deepEqual(planAthenaAmplitudeGold({ database: 'eventlake', dates: [], location: loc, existing: new Set() }), [], 'no touched day: nothing to do');
  assert.throws(() => planAthenaAmplitudeGold({ database: 'eventlake', dates: ['2024-01-01'], location: loc, existing: new Set(), chunkSize: 101 }), /chunk size must be 1\.\.100/);
  assert.throws(() => planAthenaAmplitudeGold({ database: 'Bad-Db', dates: ['2024-01-01'], location: loc, existing: new Set() }));
  const touched = amplitudeTouchedDatesQuery('eventlake', ['2024-01-02', '2024-01-01']);
  assert.equal(touched, `SELECT DISTINCT CAST(CAST(event_time AS DATE) AS VARCHAR) AS event_date\nFROM (SELECT * FROM "eventlake"."amplitude_events" WHERE "dt" IN ('2024-01-01', '2024-01-02')) AS "cleaned"\nWHERE event_time IS NOT NULL\nORDER BY 1`);
  assert.doesNotThrow(() => parseTrino(touched));
});

test('athena amplitude gold: a failure half-way names the step, sends nothing after it, and gives the rerun command', async () => {
  const fake = await startFakeAthena({ pollsBeforeDone: 0, failWhen: (sql) => sql.startsWith('INSERT INTO "eventlake"."amplitude_daily_events"') && sql.includes("'2024-04-10'") });
  const engine = new AthenaEngine({
    region: 'us-east-1', endpoint: fake.endpoint, workgroup: 'eventlake', database: 'eventlake', outputLocation: 's3://athena-results/eventlake/',
    pollIntervalMs: 1, maxPollMs: 1, maxAttempts: 2, sleep: async () => {}, clientConfig: { credentials: FAKE_CREDENTIALS },
  });
  try {
    const steps = planAthenaAmplitudeGold({ database: 'eventlake', dates: days250, location: loc, existing: new Set() });
    const cleared: string[] = [];
    const rerun = () => 'eventlake aggregate --engine athena --source amplitude --from 2024-01-01 --to 2024-09-06';
    const err = (await runAthenaGold(steps, { execute: (sql) => engine.execute(sql), clear: async (l) => (cleared.push(l), 1) }, rerun).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    )) as EventlakeError;
    assert.ok(err instanceof EventlakeError);
    assert.equal(err.step, 'athena.aggregate.amplitude_daily_events');
    assert.match(err.message, /step 3\/8: INSERT amplitude_daily_events for 2024-04-10\.\.2024-07-18/);
    assert.equal(err.next, rerun());
    const sent = fake.calls.filter((c) => c.target === 'AmazonAthena.StartQueryExecution');
    assert.equal(sent.length, 2, 'the CTAS, the failing INSERT; nothing after');
    assert.deepEqual(cleared, [loc('daily_events')]);
  } finally {
    await engine.close();
    await fake.close();
  }
});

test('athena amplitude gold end to end: `aggregate --engine athena --source amplitude` with the lake on S3 (s3rver): touched days queried, only those days replaced', async () => {
  const { startS3, S3RVER_CREDENTIALS } = await import('./s3rver-harness.ts');
  const { buildContext } = await import('../../src/cli/context.ts');
  const { runAthenaAggregate } = await import('../../src/cli/commands/athena.ts');
  const s3 = await startS3('lake-bucket');
  const touchedSql: string[] = [];
  const fake = await startFakeAthena({
    pollsBeforeDone: 1,
    glueTables: new Set(GOLD_TABLES.map((t) => `eventlake.amplitude_${t}`)),
    // Arrival dts 01-02..01-03 hold events of 2023-12-31 (late), 01-02 and 01-03.
    results: (sql) => {
      if (!sql.startsWith('SELECT DISTINCT')) return undefined;
      touchedSql.push(sql);
      return { columns: [{ Name: 'event_date', Type: 'varchar' }], rows: [['2023-12-31'], ['2024-01-02'], ['2024-01-03']] };
    },
  });
  const root = await mkdtemp(join(tmpdir(), 'athena-amp-e2e-'));
  const prev = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  try {
    const ctx = await buildContext({ lake: join(root, 'lake') }, {
      storage: { kind: 's3', s3: { bucket: 'lake-bucket', endpoint: s3.endpoint, forcePathStyle: true, prefix: 'prod', checksums: 'WHEN_REQUIRED', listApi: 'v1' } },
      engine: { athena: { endpoint: fake.endpoint, workgroup: 'eventlake', database: 'eventlake', outputLocation: 's3://athena-results/eventlake/', pollIntervalMs: 1 } },
    });
    const keys = [
      'aggregated/amplitude/daily_events/dt=2023-12-31/part-0.parquet',
      'aggregated/amplitude/daily_events/dt=2024-01-01/part-0.parquet',
      'aggregated/amplitude/daily_events/dt=2024-01-02/part-0.parquet',
      'aggregated/amplitude/daily_active_users/dt=2024-01-03/part-0.parquet',
      'aggregated/amplitude/daily_active_users/dt=2024-01-04/part-0.parquet',
      'aggregated/github/fact_events/dt=2024-01-02/part-0.parquet',
      'cleaned/amplitude/events/dt=2024-01-02/part-0.parquet',
    ];
    for (const k of keys) await ctx.storage.put(k, Buffer.from('x'));
    let printed = '';
    await runAthenaAggregate(ctx, { from: '2024-01-02', to: '2024-01-03', source: 'amplitude' }, (t) => (printed += t));
    const left: string[] = [];
    for (const k of keys) if (await ctx.storage.head(k)) left.push(k);
    assert.deepEqual(left, [
      'aggregated/amplitude/daily_events/dt=2024-01-01/part-0.parquet',
      'aggregated/amplitude/daily_active_users/dt=2024-01-04/part-0.parquet',
      'aggregated/github/fact_events/dt=2024-01-02/part-0.parquet',
      'cleaned/amplitude/events/dt=2024-01-02/part-0.parquet',
    ], 'the touched event days were cleared (including the late 2023-12-31); other days, other sources and silver untouched');
    const sent = fake.calls.filter((c) => c.target === 'AmazonAthena.StartQueryExecution').map((c) => String(c.body.QueryString));
    const touched = amplitudeTouchedDatesQuery('eventlake', ['2024-01-02', '2024-01-03']);
    const days = ['2023-12-31', '2024-01-02', '2024-01-03'];
    const expected = planAthenaAmplitudeGold({ database: 'eventlake', dates: days, location: (t) => `s3://lake-bucket/prod/aggregated/amplitude/${t}/`, existing: new Set(GOLD_TABLES.map((t) => `amplitude_${t}`)) });
    assert.deepEqual(sent, [touched, ...sqlSteps(expected).map((s) => s.sql)], 'the touched-dates query, then one INSERT per table for exactly those days');
    assert.deepEqual(touchedSql, [touched]);
    assert.ok(sent.slice(1).every((s) => s.startsWith('INSERT INTO') && daysIn(s).join() === days.join()));
    assert.match(printed, /amplitude gold on Athena: 2 dt\(s\) touching 3 event day\(s\), 2 statement\(s\), 3 object\(s\) replaced/);
    assert.equal(fake.calls.filter((c) => c.target === 'AWSGlue.GetTable').length, GOLD_TABLES.length, 'CTAS vs INSERT decided from Glue');
    for (const c of fake.calls.filter((x) => x.target === 'AmazonAthena.StartQueryExecution')) assert.equal(c.body.WorkGroup, 'eventlake');
    (ctx.storage as unknown as { close?: () => void }).close?.();
  } finally {
    process.env.AWS_ACCESS_KEY_ID = prev.id;
    process.env.AWS_SECRET_ACCESS_KEY = prev.secret;
    if (prev.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (prev.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    await fake.close();
    await s3.close();
    await rm(root, { recursive: true, force: true });
  }
});

test('athena amplitude gold: `eventlake athena aggregate --source amplitude --print` (golden), trino grammar on every statement, usage errors', async () => {
  const root = await mkdtemp(join(tmpdir(), 'athena-amp-'));
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--lake', join(root, 'lake'), ...args], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, EVENTLAKE_LOG_LEVEL: 'silent' },
    });
  try {
    const { stdout } = await cli(['athena', 'aggregate', '--source', 'amplitude', '--from', '2024-01-01', '--to', '2024-01-03', '--chunk-size', '2', '--print', '--location-base', 's3://lake-bucket/']);
    const p = join(GOLDEN, 'athena-amplitude-print.sql');
    if (process.env.UPDATE_GOLDEN) await writeFile(p, stdout);
    assert.equal(stdout, await readFile(p, 'utf8'), 'athena-amplitude-print.sql differs (review, then UPDATE_GOLDEN=1 npm test -- athena-amplitude)');
    const statements = stdout.split(';\n').map((s) => s.split('\n').filter((l) => !l.startsWith('--')).join('\n').trim()).filter(Boolean);
    assert.equal(statements.length, 1 + 2 * 2, 'the touched-dates query, then CTAS + INSERT per table (chunk size 2 over 3 days)');
    for (const s of statements) assert.doesNotThrow(() => parseTrino(s), s.split('\n')[0]);
    await assert.rejects(cli(['aggregate', '--engine', 'athena', '--source', 'nope', '--from', '2024-01-01']), (e: { code: number; stderr: string }) => e.code === 2 && /github or amplitude/.test(e.stderr));
    await assert.rejects(cli(['athena', 'aggregate', '--source', 'nope', '--from', '2024-01-01', '--print']), (e: { code: number; stderr: string }) => e.code === 2 && /github and amplitude/.test(e.stderr));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
