// Loading a day of GitHub gold (fact_events) into PostgreSQL: `eventlake load postgres` vs a bare `psql \copy`
// of the same rows as CSV into an identical table, same server, same run. Needs the server from
// .ci/setup.d/postgres.sh (Unix socket, database eventlake_test).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import type { BenchOptions } from '../run.ts';
import { measure, medianOf, type BenchRow } from '../lib/measure.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { connectPostgres } from '../../src/warehouse/postgres/client.ts';
import { GOLD_TABLES } from '../../src/warehouse/gold-tables.ts';
import * as SQL from '../../src/warehouse/postgres/sql.ts';

export async function rows(opts: BenchOptions): Promise<BenchRow[]> {
  const n = opts.quick ? 50_000 : 2_000_000;
  const runs = opts.quick ? 1 : 3;
  const pg = { host: '/var/run/postgresql', port: 5432, database: 'eventlake_test', user: userInfo().username, passwordEnv: 'EVENTLAKE_BENCH_PG_PASSWORD' };
  const lake = join(opts.workDir, 'lake');
  const dir = join(lake, 'aggregated/github/fact_events/dt=2026-11-01');
  mkdirSync(dir, { recursive: true });
  const csv = join(opts.workDir, 'fact_events.csv');
  const duck = await DuckDbEngine.open();
  const select = `SELECT DATE '2026-11-01' AS dt, (i % 20000)::BIGINT AS repo_id, (i // 7)::BIGINT AS user_id,
      ['PushEvent','WatchEvent','IssuesEvent','PullRequestEvent','CreateEvent','ForkEvent','IssueCommentEvent'][i % 7 + 1] AS event_type,
      (1 + i % 17)::BIGINT AS event_count FROM range(${n}) t(i)`;
  await duck.run(`COPY (SELECT * EXCLUDE (dt) FROM (${select})) TO ${sqlString(join(dir, 'part-0.parquet'))} (FORMAT parquet)`);
  await duck.run(`COPY (${select}) TO ${sqlString(csv)} (FORMAT csv, HEADER false)`);
  await duck.close();

  const ours = 'bench_ours';
  const bare = 'bench_bare';
  const fact = GOLD_TABLES.find((t) => t.name === 'fact_events')!;
  const admin = await connectPostgres(pg);
  try {
    for (const s of [ours, bare]) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.query(SQL.createSchema(bare));
    await admin.query(SQL.createTable(bare, fact, { partitioned: false }));
    for (const ix of SQL.createIndexes(bare, fact)) await admin.query(ix);

    const config = join(opts.workDir, 'eventlake.config.yaml');
    writeFileSync(config, `lake:\n  root: ${lake}\nwarehouse:\n  postgres:\n    host: ${pg.host}\n    database: ${pg.database}\n    user: ${pg.user}\n    schema: ${ours}\n`);
    const oursM = await medianOf(runs, () => undefined, () =>
      measure(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '-c', config, 'load', 'postgres', '--tables', 'fact_events', '--force'], {
        cwd: opts.repoRoot,
        env: { EVENTLAKE_LOG_LEVEL: 'silent' },
      }),
    );
    const bareM = await medianOf(
      runs,
      () => admin.query(`TRUNCATE "${bare}"."fact_events"`).then(() => undefined),
      () => measure('psql', ['-q', '-h', pg.host, '-d', pg.database, '-c', `\\copy "${bare}"."fact_events" FROM '${csv}' WITH (FORMAT csv)`]),
    );
    const [{ c }] = (await admin.query<{ c: string }>(`SELECT count(*) AS c FROM "${ours}"."fact_events"`)) as [{ c: string }];
    if (Number(c) !== n) throw new Error(`postgres load wrote ${c} rows, expected ${n}`);
    const ratio = bareM.seconds / oursM.seconds;
    return [
      {
        row: `postgres load, ${n.toLocaleString('en')} fact rows`,
        ours: `${Math.round(n / oursM.seconds).toLocaleString('en')} rows/s (${oursM.seconds.toFixed(2)} s, ${Math.round(oursM.peakRssMB)} MB)`,
        comparison: `psql \\copy ${Math.round(n / bareM.seconds).toLocaleString('en')} rows/s (${bareM.seconds.toFixed(2)} s)`,
        ratio,
        target: '>= 0.70x of psql \\copy',
        pass: ratio >= 0.7,
        notes: 'ours includes process start, Parquet → CSV export, TRUNCATE of the dt partition and load history; bare is an unpartitioned table with the same keys and indexes',
      },
    ];
  } finally {
    for (const s of [ours, bare]) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.close();
  }
}
