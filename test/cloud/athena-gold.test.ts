// The GitHub gold build on Athena (src/engines/athena/gold.ts): the same model SELECTs as DuckDB, wrapped in CTAS /
// INSERT INTO, sent by the real AWS SDK clients to the local Athena/Glue endpoint (test/cloud/athena-fake.ts).
// Checked: the exact statements and their order, chunks of at most 100 dts, delete-before-write for reruns, a failure
// half-way (step named, nothing after it sent, the next command), the CLI --print output (golden), and node-sql-parser's
// trino grammar on every statement it can read. Nothing here ran against real Athena.
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
import { GlueApi } from '../../src/cloud/aws/glue.ts';
import { planAthenaGold, runAthenaGold, type GoldStep } from '../../src/engines/athena/gold.ts';
import { DIM_TABLES, PER_DT_TABLES, GOLD_COLUMNS, goldSelect } from '../../src/models/github/gold-sql.ts';
import { datesBetween } from '../../src/lake/layout.ts';
import { EventlakeError } from '../../src/core/errors.ts';

const { Parser } = pkg;
const parser = new Parser();
const GOLDEN = join(import.meta.dirname, 'golden');
const ALL = [...PER_DT_TABLES, ...DIM_TABLES];
const loc = (t: string) => `s3://lake-bucket/aggregated/github/${t}/`;
const dts250 = datesBetween('2024-01-01', '2024-09-06');

function engineFor(endpoint: string) {
  return new AthenaEngine({
    region: 'us-east-1', endpoint, workgroup: 'eventlake', database: 'eventlake', outputLocation: 's3://athena-results/eventlake/',
    pollIntervalMs: 1, maxPollMs: 1, maxAttempts: 2, sleep: async () => {}, clientConfig: { credentials: FAKE_CREDENTIALS },
  });
}

/** Existence from Glue (GetTable), plan, run with a recording clear(): what the CLI does, minus S3. */
async function build(fake: Awaited<ReturnType<typeof startFakeAthena>>, dts: string[]) {
  const glue = new GlueApi({ region: 'us-east-1', endpoint: fake.endpoint, maxAttempts: 1, clientConfig: { credentials: FAKE_CREDENTIALS } });
  const engine = engineFor(fake.endpoint);
  const log: string[] = [];
  try {
    const existing = new Set<string>();
    for (const t of ALL) if (await glue.getTable('eventlake', `github_${t}`)) existing.add(`github_${t}`);
    const steps = planAthenaGold({ database: 'eventlake', dts, location: loc, existing });
    const run = (async () => {
      try {
        return await runAthenaGold(
      steps,
      {
        execute: async (sql) => {
          log.push(`sql ${sql.split('\n')[0]}`);
          return engine.execute(sql);
        },
        clear: async (l) => {
          log.push(`clear ${l}`);
          return 2;
        },
      },
      () => `eventlake aggregate --engine athena --source github --from ${dts[0]} --to ${dts.at(-1)}`,
        );
      } finally {
        await engine.close();
      }
    })();
    return { steps, log, run };
  } finally {
    glue.destroy();
  }
}

const sent = (fake: Awaited<ReturnType<typeof startFakeAthena>>) =>
  fake.calls.filter((c) => c.target === 'AmazonAthena.StartQueryExecution').map((c) => String(c.body.QueryString));
const dtsIn = (sql: string) => [...(/"dt" IN \(([^)]*)\)/.exec(sql)?.[1] ?? '').matchAll(/'(\d{4}-\d{2}-\d{2})'/g)].map((m) => m[1]!);

test('athena gold: first build of 250 dts = CTAS for the first 100 then INSERT INTO 100 + 50 per per-dt table, dims CTAS; exact statements sent', async () => {
  const fake = await startFakeAthena({ pollsBeforeDone: 1 });
  try {
    const { steps, log, run } = await build(fake, dts250);
    const r = await run;
    const sqls = steps.filter((s): s is Extract<GoldStep, { kind: 'sql' }> => s.kind === 'sql');
    assert.deepEqual(sent(fake), sqls.map((s) => s.sql), 'exactly the planned statements, in order');
    assert.equal(r.statements, 3 * 3 + 3);
    assert.deepEqual(sqls.map((s) => `${s.verb} ${s.table} ${s.dts?.length ?? '-'}`), [
      'CTAS github_fact_events 100', 'INSERT github_fact_events 100', 'INSERT github_fact_events 50',
      'CTAS github_repo_daily 100', 'INSERT github_repo_daily 100', 'INSERT github_repo_daily 50',
      'CTAS github_user_daily 100', 'INSERT github_user_daily 100', 'INSERT github_user_daily 50',
      'CTAS github_dim_repo -', 'CTAS github_dim_user -', 'CTAS github_dim_date -',
    ]);
    for (const t of PER_DT_TABLES) {
      const mine = sqls.filter((s) => s.table === `github_${t}`);
      const covered = mine.flatMap((s) => dtsIn(s.sql));
      assert.deepEqual(covered, dts250, `${t}: every dt exactly once, in order`);
      for (const s of mine) assert.ok(dtsIn(s.sql).length <= 100, 'at most 100 partitions per statement');
      // The SELECT inside is the shared model, only the source differs from the DuckDB rendering.
      assert.ok(mine[0]!.sql.includes(goldSelect(t, 'trino', `(SELECT * FROM "eventlake"."github_events" WHERE "dt" IN (${mine[0]!.dts!.map((d) => `'${d}'`).join(', ')})) AS "events"`)));
      assert.match(mine[0]!.sql, new RegExp(`^CREATE TABLE "eventlake"\\."github_${t}"\\nWITH \\(\\n  format = 'PARQUET',\\n  write_compression = 'SNAPPY',\\n  external_location = 's3://lake-bucket/aggregated/github/${t}/',\\n  partitioned_by = ARRAY\\['dt'\\]\\n\\) AS\\nSELECT ${GOLD_COLUMNS[t].slice(1).map(([c]) => `"${c}"`).join(', ')}, "dt"\\n`));
      assert.match(mine[1]!.sql, new RegExp(`^INSERT INTO "eventlake"\\."github_${t}" \\(${GOLD_COLUMNS[t].slice(1).map(([c]) => `"${c}"`).join(', ')}, "dt"\\)\\n`));
    }
    // A first build empties each location once (CTAS refuses a non-empty one) and nothing per chunk.
    assert.deepEqual(log.filter((l) => l.startsWith('clear')), ALL.map((t) => `clear ${loc(t)}`).sort((a, b) => log.indexOf(a) - log.indexOf(b)));
    assert.ok(log.indexOf(`clear ${loc('fact_events')}`) < log.indexOf('sql CREATE TABLE "eventlake"."github_fact_events"'));
    // Dims read every partition of their per-dt table, after all of them were written.
    assert.match(sqls.at(-3)!.sql, /FROM "eventlake"\."github_repo_daily" AS "repo_daily"/);
    assert.match(sqls.at(-1)!.sql, /FROM "eventlake"\."github_fact_events" AS "fact_events"/);
    assert.doesNotMatch(sqls.at(-1)!.sql, /partitioned_by/);
    for (const c of fake.calls.filter((x) => x.target === 'AmazonAthena.StartQueryExecution')) assert.equal(c.body.WorkGroup, 'eventlake');
  } finally {
    await fake.close();
  }
});

test('athena gold: rerun over existing tables deletes each chunk\'s dt=…/ prefixes then INSERTs; dims emptied then INSERT', async () => {
  const fake = await startFakeAthena({ pollsBeforeDone: 0, glueTables: new Set(ALL.map((t) => `eventlake.github_${t}`)) });
  try {
    const dts = datesBetween('2024-03-01', '2024-03-03');
    const { log, run } = await build(fake, dts);
    const r = await run;
    assert.equal(r.clearedObjects, 2 * (3 * 3 + 3));
    assert.deepEqual(log.slice(0, 5), [
      'clear s3://lake-bucket/aggregated/github/fact_events/dt=2024-03-01/',
      'clear s3://lake-bucket/aggregated/github/fact_events/dt=2024-03-02/',
      'clear s3://lake-bucket/aggregated/github/fact_events/dt=2024-03-03/',
      'sql INSERT INTO "eventlake"."github_fact_events" ("repo_id", "user_id", "event_type", "event_count", "dt")',
      'clear s3://lake-bucket/aggregated/github/repo_daily/dt=2024-03-01/',
    ]);
    assert.deepEqual(log.slice(-2), ['clear s3://lake-bucket/aggregated/github/dim_date/', 'sql INSERT INTO "eventlake"."github_dim_date" ("date_key", "date", "year", "quarter", "month", "day", "day_of_week", "is_weekend")']);
    assert.ok(sent(fake).every((s) => s.startsWith('INSERT INTO')), 'no CTAS when the tables exist');
    assert.ok(!log.some((l) => l === `clear ${loc('fact_events')}`), 'a rerun never empties a per-dt table outside its window');
    // Every INSERT parses with node-sql-parser's trino grammar.
    for (const s of sent(fake)) assert.doesNotThrow(() => parser.astify(s, { database: 'trino' }), s.split('\n')[0]);
  } finally {
    await fake.close();
  }
});

test('athena gold: a failure half-way names the step and table, sends nothing after it, and says how to resume', async () => {
  const fake = await startFakeAthena({ pollsBeforeDone: 0, failWhen: (sql) => sql.startsWith('INSERT INTO "eventlake"."github_repo_daily"') && sql.includes("'2024-04-10'") });
  try {
    const { steps, run } = await build(fake, dts250);
    const err = (await run.then(() => assert.fail('should fail'), (e: unknown) => e)) as EventlakeError;
    assert.ok(err instanceof EventlakeError);
    const failedIdx = steps.findIndex((s) => s.kind === 'sql' && s.table === 'github_repo_daily' && s.verb === 'INSERT');
    assert.equal(err.step, 'athena.aggregate.github_repo_daily');
    assert.match(err.message, new RegExp(`step ${failedIdx + 1}/${steps.length}: INSERT github_repo_daily for 2024-04-10\\.\\.2024-07-18: .*COLUMN_NOT_FOUND`));
    assert.equal(err.next, 'eventlake aggregate --engine athena --source github --from 2024-01-01 --to 2024-09-06');
    assert.equal(err.retryable, false);
    assert.equal(sent(fake).length, 5, '3 fact_events statements, the repo_daily CTAS, the failing INSERT; nothing after');
  } finally {
    await fake.close();
  }
});

test('athena gold: `eventlake athena aggregate --print` (golden), node-sql-parser trino grammar on every SELECT, chunk-size and usage errors', async () => {
  const root = await mkdtemp(join(tmpdir(), 'athena-gold-'));
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--lake', join(root, 'lake'), ...args], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, EVENTLAKE_LOG_LEVEL: 'silent' },
    });
  try {
    const { stdout } = await cli(['athena', 'aggregate', '--from', '2024-01-01', '--to', '2024-01-03', '--chunk-size', '2', '--print', '--location-base', 's3://lake-bucket/']);
    const p = join(GOLDEN, 'athena-gold-print.sql');
    if (process.env.UPDATE_GOLDEN) await writeFile(p, stdout);
    assert.equal(stdout, await readFile(p, 'utf8'), 'athena-gold-print.sql differs (review, then UPDATE_GOLDEN=1 npm test -- athena-gold)');
    const statements = stdout.split(';\n').map((s) => s.split('\n').filter((l) => !l.startsWith('--')).join('\n').trim()).filter(Boolean);
    assert.equal(statements.length, 3 * 2 + 3, 'chunk size 2 over 3 dts: CTAS + INSERT per per-dt table, one CTAS per dim');
    // node-sql-parser cannot read CTAS "WITH (…) AS"; the SELECT after it (the model) and the INSERTs must parse.
    for (const s of statements) {
      const sql = s.startsWith('CREATE TABLE') ? s.slice(s.indexOf(') AS\n') + 5) : s;
      assert.doesNotThrow(() => parser.astify(sql, { database: 'trino' }), s.split('\n')[0]);
    }
    assert.throws(() => planAthenaGold({ database: 'eventlake', dts: ['2024-01-01'], location: loc, existing: new Set(), chunkSize: 101 }), /chunk size must be 1\.\.100/);
    await assert.rejects(cli(['aggregate', '--engine', 'athena', '--source', 'amplitude', '--from', '2024-01-01']), (e: { code: number; stderr: string }) => e.code === 2 && /github gold only/.test(e.stderr));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('athena gold end to end: `aggregate --engine athena` path with the lake on S3 (s3rver) and Athena/Glue on the local endpoint: only the window\'s partitions are replaced', async () => {
  const { startS3, S3RVER_CREDENTIALS } = await import('./s3rver-harness.ts');
  const { buildContext } = await import('../../src/cli/context.ts');
  const { runAthenaAggregate } = await import('../../src/cli/commands/athena.ts');
  const s3 = await startS3('lake-bucket');
  const fake = await startFakeAthena({ pollsBeforeDone: 0, glueTables: new Set(ALL.map((t) => `eventlake.github_${t}`)) });
  const root = await mkdtemp(join(tmpdir(), 'athena-gold-e2e-'));
  const prev = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  try {
    const ctx = await buildContext({ lake: join(root, 'lake') }, {
      storage: { kind: 's3', s3: { bucket: 'lake-bucket', endpoint: s3.endpoint, forcePathStyle: true, prefix: 'prod', checksums: 'WHEN_REQUIRED', listApi: 'v1' } },
      engine: { athena: { endpoint: fake.endpoint, workgroup: 'eventlake', database: 'eventlake', outputLocation: 's3://athena-results/eventlake/', pollIntervalMs: 1 } },
    });
    const keys = [
      'aggregated/github/fact_events/dt=2024-01-01/part-0.parquet',
      'aggregated/github/fact_events/dt=2024-01-02/part-0.parquet',
      'aggregated/github/fact_events/dt=2023-12-31/part-0.parquet',
      'aggregated/github/dim_repo/part-0.parquet',
      'cleaned/github/events/dt=2024-01-01/part-0.parquet',
    ];
    for (const k of keys) await ctx.storage.put(k, Buffer.from('x'));
    let printed = '';
    await runAthenaAggregate(ctx, { from: '2024-01-01', to: '2024-01-02' }, (t) => (printed += t));
    const left: string[] = [];
    for (const k of keys) if (await ctx.storage.head(k)) left.push(k);
    assert.deepEqual(left, ['aggregated/github/fact_events/dt=2023-12-31/part-0.parquet', 'cleaned/github/events/dt=2024-01-01/part-0.parquet'], 'the window\'s gold partitions and the dims were cleared; other dts and silver untouched');
    assert.deepEqual(sent(fake).map((s) => s.split(' (')[0]), ALL.map((t) => `INSERT INTO "eventlake"."github_${t}"`));
    assert.match(printed, /github gold on Athena: 2 dt\(s\), 6 statement\(s\), 3 object\(s\) replaced/);
    const start = fake.calls.find((c) => c.target === 'AmazonAthena.StartQueryExecution')!.body;
    assert.equal(start.WorkGroup, 'eventlake');
    assert.equal(fake.calls.filter((c) => c.target === 'AWSGlue.GetTable').length, ALL.length, 'CTAS vs INSERT decided from Glue');
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
