// PostgreSQL warehouse against a real server (started by .ci/setup.d/postgres.sh; Unix socket, peer auth).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { buildContext } from '../../src/cli/context.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { loadPostgres } from '../../src/warehouse/postgres/load.ts';
import { connectPostgres, type PgSession } from '../../src/warehouse/postgres/client.ts';
import { EventlakeError } from '../../src/core/errors.ts';

const PG = {
  host: process.env.EVENTLAKE_TEST_PG_HOST ?? '/var/run/postgresql',
  port: Number(process.env.EVENTLAKE_TEST_PG_PORT ?? 5432),
  database: process.env.EVENTLAKE_TEST_PG_DB ?? 'eventlake_test',
  user: process.env.EVENTLAKE_TEST_PG_USER ?? userInfo().username,
  passwordEnv: 'EVENTLAKE_TEST_PG_PASSWORD',
};
const repoRoot = new URL('../..', import.meta.url).pathname;
const schema = `t_${process.pid}_${Date.now() % 100000}`;
let work: string;
let admin: PgSession;

/** Writes gold Parquet the way the aggregate step lays it out: fact_events per dt, dims whole. */
async function writeGold(lake: string, days: { dt: string; rows: number }[], seed = 1): Promise<void> {
  const duck = await DuckDbEngine.open();
  try {
    const g = join(lake, 'aggregated/github');
    for (const { dt, rows } of days) {
      mkdirSync(join(g, 'fact_events', `dt=${dt}`), { recursive: true });
      await duck.run(`COPY (SELECT (i % 50)::BIGINT AS repo_id, (i // 50)::BIGINT AS user_id,
          ['PushEvent','WatchEvent','IssuesEvent'][(i * ${seed}) % 3 + 1] AS event_type, (1 + (i * 7 + ${seed}) % 13)::BIGINT AS event_count
        FROM range(${rows}) t(i)) TO ${sqlString(join(g, 'fact_events', `dt=${dt}`, 'part-0.parquet'))} (FORMAT parquet)`);
    }
    for (const t of ['dim_repo', 'dim_user', 'dim_date']) mkdirSync(join(g, t), { recursive: true });
    await duck.run(`COPY (SELECT i::BIGINT AS repo_id, 'owner' || (i % 5) || '/repo' || i AS repo_name, 'owner' || (i % 5) AS owner_login,
        TIMESTAMP '2026-11-01 00:00:00' AS first_seen, TIMESTAMP '2026-11-02 00:00:00' + INTERVAL (${seed}) HOUR AS last_seen FROM range(50) t(i))
      TO ${sqlString(join(g, 'dim_repo', 'part-0.parquet'))} (FORMAT parquet)`);
    await duck.run(`COPY (SELECT i::BIGINT AS user_id, CASE WHEN i % 7 = 0 THEN 'bot' || i || '[bot]' ELSE 'user, "' || i || '"' END AS login,
        TIMESTAMP '2026-11-01 00:00:00' AS first_seen, NULL::TIMESTAMP AS last_seen, i % 7 = 0 AS is_bot FROM range(400) t(i))
      TO ${sqlString(join(g, 'dim_user', 'part-0.parquet'))} (FORMAT parquet)`);
    await duck.run(`COPY (SELECT strftime(d, '%Y%m%d')::INT AS date_key, d::DATE AS date, year(d)::SMALLINT AS year, quarter(d)::SMALLINT AS quarter,
        month(d)::SMALLINT AS month, day(d)::SMALLINT AS day, isodow(d)::SMALLINT AS day_of_week, isodow(d) >= 6 AS is_weekend
        FROM range(DATE '2026-11-01', DATE '2026-11-08', INTERVAL 1 DAY) t(d))
      TO ${sqlString(join(g, 'dim_date', 'part-0.parquet'))} (FORMAT parquet)`);
  } finally {
    await duck.close();
  }
}

function ctxFor(lake: string, extra: Record<string, unknown> = {}) {
  return buildContext({ lake }, { warehouse: { postgres: { ...PG, schema, ...extra } } });
}

async function count(table: string, where = ''): Promise<number> {
  const r = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table}" ${where}`);
  return Number(r[0]!.n);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'el-pg-'));
  admin = await connectPostgres(PG);
});
after(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.close();
  rmSync(work, { recursive: true, force: true });
});

test('postgres: loads gold, reruns skip unchanged partitions, --force reloads without duplicates', async () => {
  const lake = join(work, 'lake1');
  await writeGold(lake, [
    { dt: '2026-11-01', rows: 1000 },
    { dt: '2026-11-02', rows: 700 },
  ]);
  const ctx = await ctxFor(lake);
  const first = await loadPostgres(ctx);
  assert.equal(first.tables.fact_events, 1700);
  assert.equal(first.tables.dim_repo, 50);
  assert.equal(first.tables.dim_user, 400);
  assert.equal(first.tables.dim_date, 7);
  assert.deepEqual(first.skipped, []);
  // Values survive the CSV round trip (commas and quotes in text, NULL timestamps, booleans).
  const u = await admin.query<{ login: string; last_seen: unknown; is_bot: boolean }>(`SELECT login, last_seen, is_bot FROM "${schema}".dim_user WHERE user_id IN (3, 7) ORDER BY user_id`);
  assert.deepEqual(u.map((r) => [r.login, r.last_seen, r.is_bot]), [['user, "3"', null, false], ['bot7[bot]', null, true]]);
  const sum = await admin.query<{ s: string }>(`SELECT sum(event_count) AS s FROM "${schema}".fact_events WHERE dt = '2026-11-02'`);
  let expected = 0;
  for (let i = 0; i < 700; i++) expected += 1 + ((i * 7 + 1) % 13);
  assert.equal(Number(sum[0]!.s), expected);

  const second = await loadPostgres(ctx);
  assert.equal(second.loaded.length, 0);
  assert.equal(second.skipped.length, 5);
  const forced = await loadPostgres(ctx, { force: true });
  assert.equal(forced.loaded.length, 5);
  assert.equal(await count('fact_events'), 1700);
  assert.equal(await count('dim_user'), 400);
});

test('postgres: a changed partition replaces only that partition; dims upsert keeps first/last seen', async () => {
  const lake = join(work, 'lake1');
  await writeGold(lake, [{ dt: '2026-11-02', rows: 300 }], 5);
  const ctx = await ctxFor(lake);
  const s = await loadPostgres(ctx);
  assert.deepEqual(s.loaded.map((l) => `${l.table}:${l.partition}`).sort(), ['dim_date:*', 'dim_repo:*', 'dim_user:*', 'fact_events:2026-11-02']);
  assert.equal(await count('fact_events', `WHERE dt = '2026-11-01'`), 1000);
  assert.equal(await count('fact_events', `WHERE dt = '2026-11-02'`), 300);
  const r = await admin.query<{ last_seen: Date }>(`SELECT last_seen FROM "${schema}".dim_repo WHERE repo_id = 1`);
  assert.equal(r[0]!.last_seen.getHours(), 5);
});

test('postgres: killing a load mid-COPY leaves the previous partition intact; a rerun completes it', async () => {
  const lake = join(work, 'lake-kill');
  await writeGold(lake, [{ dt: '2026-11-03', rows: 10 }]);
  await loadPostgres(await ctxFor(lake));
  assert.equal(await count('fact_events', `WHERE dt = '2026-11-03'`), 10);
  // A much bigger version of the same partition, loaded by a child process that we kill while COPY runs.
  await writeGold(lake, [{ dt: '2026-11-03', rows: 800_000 }], 2);
  const env = { ...process.env, EVENTLAKE_CFG__warehouse__postgres: JSON.stringify({ ...PG, schema }), EVENTLAKE_LOG_LEVEL: 'silent' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'load', 'postgres', '--lake', lake, '--tables', 'fact_events'], { cwd: repoRoot, env, stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  let sawCopy = false;
  for (let i = 0; i < 600 && !sawCopy; i++) {
    const a = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'eventlake' AND query LIKE 'COPY %' AND state = 'active'`);
    sawCopy = a.length > 0;
    if (!sawCopy) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(sawCopy, 'the child never reached COPY');
  child.kill('SIGKILL');
  await exited;
  // The server notices the dead client and rolls back; wait until its backend is gone.
  for (let i = 0; i < 200; i++) {
    const a = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'eventlake'`);
    if (a.length === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await count('fact_events', `WHERE dt = '2026-11-03'`), 10, 'partition must keep its previous rows');
  const rerun = await loadPostgres(await ctxFor(lake), { tables: ['fact_events'] });
  assert.deepEqual(rerun.loaded.map((l) => l.partition), ['2026-11-03']);
  assert.equal(await count('fact_events', `WHERE dt = '2026-11-03'`), 800_000);
});

test('postgres: unreachable server gives a clear, retryable error with a next step', async () => {
  const lake = join(work, 'lake1');
  const ctx = await ctxFor(lake, { host: '127.0.0.1', port: 1 });
  await assert.rejects(
    () => loadPostgres(ctx),
    (e: unknown) => e instanceof EventlakeError && e.retryable === true && /127\.0\.0\.1:1/.test(e.message) && /pg_isready/.test(e.next ?? ''),
  );
});

test('postgres: missing warehouse.postgres section is a config error', async () => {
  const ctx = await buildContext({ lake: join(work, 'lake1') });
  await assert.rejects(() => loadPostgres(ctx), /warehouse\.postgres is not configured/);
});
