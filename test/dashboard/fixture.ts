// A sample lake for the dashboard tests and bench: GitHub gold (same tables, columns and file layout as the real
// aggregated/github/: fact_events/dt=…/part-0.parquet with dt inside the file too, dim_* single files), Amplitude gold
// (aggregated/amplitude/daily_events, daily_active_users), run history, checkpoints, quarantine, an alert and an
// anomaly report. Values are pseudo-random but skewed like real activity (a few hot repos and users); tests never
// hard-code them: they compare what the page shows with DuckDB queries on these same files.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config/load.ts';
import { LocalStorage } from '../../src/storage/local/local-storage.ts';
import { LakeLayout } from '../../src/lake/layout.ts';
import { MetaStore } from '../../src/lake/meta-store.ts';
import { log } from '../../src/core/log.ts';
import { putJson } from '../../src/core/storage.ts';
import type { Context } from '../../src/cli/context.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { RunHistory, type RunRecord } from '../../src/pipeline/history.ts';

export const TOKENS = { admin: 'dash-admin-tok-5d1c9a', alice: 'dash-alice-tok-77be02', analyst: 'dash-analyst-tok-c0ffee' };

export const governance = {
  domain: 'github',
  principals: [
    { name: 'admin', admin: true, token: { env: 'DASH_TEST_TOKEN_ADMIN' } },
    { name: 'alice', owner: 'alice', policies: ['repo-owner'], token: { env: 'DASH_TEST_TOKEN_ALICE' } },
    { name: 'analyst', policies: ['analyst'], token: { env: 'DASH_TEST_TOKEN_ANALYST' } },
  ],
  policies: {
    'repo-owner': {
      fact_events: { rowFilter: { kind: 'owner-repos', column: 'repo_id' } },
      repo_daily: { rowFilter: { kind: 'owner-repos', column: 'repo_id' } },
      dim_repo: { rowFilter: { kind: 'owner-repos', column: 'repo_id' } },
      dim_user: { rowFilter: { kind: 'owner-users', column: 'user_id' } },
      dim_date: {},
    },
    analyst: { fact_events: {}, dim_repo: {}, dim_user: { masks: { login: 'hash' } }, daily_events: {}, daily_active_users: {} },
  },
};

export function setTokenEnv(): void {
  process.env.DASH_TEST_TOKEN_ADMIN = TOKENS.admin;
  process.env.DASH_TEST_TOKEN_ALICE = TOKENS.alice;
  process.env.DASH_TEST_TOKEN_ANALYST = TOKENS.analyst;
}

export interface SampleLake {
  dir: string;
  ctx: Context;
  gold: string;
  days: string[];
  cleanup(): Promise<void>;
}

export interface GoldSize {
  days: number;
  repos: number;
  users: number;
  /** Generated event rows per day before grouping into fact_events. */
  rowsPerDay: number;
}

export const SMALL: GoldSize = { days: 3, repos: 60, users: 80, rowsPerDay: 3_000 };

const TYPES = ['PushEvent', 'CreateEvent', 'PullRequestEvent', 'IssueCommentEvent', 'WatchEvent', 'IssuesEvent', 'ForkEvent', 'DeleteEvent'];

export async function sampleLake(size: GoldSize = SMALL, first = '2026-11-01'): Promise<SampleLake> {
  const dir = await mkdtemp(join(tmpdir(), 'el-dash-'));
  const loaded = loadConfig({ cwd: dir, env: {}, dotenv: false, overrides: { lake: { root: join(dir, 'lake') }, operate: { governance } } });
  const storage = new LocalStorage({ root: loaded.lakeRoot });
  const layout = new LakeLayout(loaded.config.lake.prefixes);
  const ctx: Context = { loaded, storage, layout, meta: new MetaStore(storage, layout), log };
  const gold = join(loaded.lakeRoot, 'aggregated');
  const days = Array.from({ length: size.days }, (_, i) => new Date(Date.parse(`${first}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10));
  await writeGithubGold(join(gold, 'github'), days, size);
  await writeAmplitudeGold(join(gold, 'amplitude'), days);
  await writeOperateState(ctx, days);
  return { dir, ctx, gold, days, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function writeGithubGold(root: string, days: string[], s: GoldSize): Promise<void> {
  const e = await DuckDbEngine.open();
  const out = (t: string, ...p: string[]) => sqlString(join(root, t, ...p, 'part-0.parquet'));
  try {
    for (const t of ['dim_repo', 'dim_user', 'dim_date']) await mkdir(join(root, t), { recursive: true });
    // Repos 1-3 belong to alice, 4-5 to bob, the rest to a few organisations.
    await e.run(`COPY (
      SELECT CAST(i AS BIGINT) AS repo_id,
             CASE i WHEN 1 THEN 'alice/app' WHEN 2 THEN 'alice/lib' WHEN 3 THEN 'alice/cli' WHEN 4 THEN 'bob/tool' WHEN 5 THEN 'bob/site'
                    ELSE 'org' || (i % 7) || '/project-' || i END AS repo_name,
             split_part(repo_name, '/', 1) AS owner_login,
             TIMESTAMP '${days[0]} 00:00:00' AS first_seen, TIMESTAMP '${days.at(-1)} 23:00:00' AS last_seen
      FROM range(1, ${s.repos + 1}) t(i) ORDER BY repo_id) TO ${out('dim_repo')} (FORMAT PARQUET)`);
    await e.run(`COPY (
      SELECT CAST(i AS BIGINT) AS user_id, CASE WHEN i % 25 = 0 THEN 'helper-' || i || '[bot]' ELSE 'dev' || i END AS login,
             TIMESTAMP '${days[0]} 00:00:00' AS first_seen, TIMESTAMP '${days.at(-1)} 23:00:00' AS last_seen, i % 25 = 0 AS is_bot
      FROM range(1, ${s.users + 1}) t(i) ORDER BY user_id) TO ${out('dim_user')} (FORMAT PARQUET)`);
    await e.run(`COPY (
      SELECT CAST(strftime(d, '%Y%m%d') AS INTEGER) AS date_key, CAST(d AS DATE) AS date, CAST(year(d) AS INTEGER) AS year,
             CAST(quarter(d) AS INTEGER) AS quarter, CAST(month(d) AS INTEGER) AS month, CAST(day(d) AS INTEGER) AS day,
             CAST(isodow(d) AS INTEGER) AS day_of_week, isodow(d) >= 6 AS is_weekend
      FROM range(DATE '${days[0]}', DATE '${days.at(-1)}' + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)) TO ${out('dim_date')} (FORMAT PARQUET)`);
    const types = `[${TYPES.map(sqlString).join(', ')}]`;
    for (const [k, dt] of days.entries()) {
      await mkdir(join(root, 'fact_events', `dt=${dt}`), { recursive: true });
      // Skewed picks: u^3 concentrates activity on low ids (hot repos/users); the day index shifts the mix so days differ.
      await e.run(`COPY (
        SELECT DATE '${dt}' AS dt, repo_id, user_id, event_type, CAST(sum(n) AS BIGINT) AS event_count FROM (
          SELECT CAST(1 + floor(${s.repos} * pow((hash(i, ${k}, 'r') % 1000003) / 1000003.0, 3)) AS BIGINT) AS repo_id,
                 CAST(1 + floor(${s.users} * pow((hash(i, ${k}, 'u') % 1000003) / 1000003.0, 2)) AS BIGINT) AS user_id,
                 ${types}[1 + CAST(floor(${TYPES.length} * pow((hash(i, ${k}, 't') % 1000003) / 1000003.0, 1.6 + ${k} * 0.4)) AS INTEGER)] AS event_type,
                 1 + hash(i, ${k}, 'n') % 3 AS n
          FROM range(${s.rowsPerDay}) t(i))
        GROUP BY ALL ORDER BY repo_id, user_id, event_type) TO ${out('fact_events', `dt=${dt}`)} (FORMAT PARQUET)`);
      // The per-day rollups, consistent with fact_events as the real gold is (both come from the same cleaned events).
      const f = sqlString(join(root, 'fact_events', `dt=${dt}`, 'part-0.parquet'));
      for (const t of ['repo_daily', 'user_daily']) await mkdir(join(root, t, `dt=${dt}`), { recursive: true });
      await e.run(`COPY (
        SELECT f.dt, f.repo_id, r.repo_name, TIMESTAMP '${dt} 00:00:00' AS first_seen, TIMESTAMP '${dt} 23:59:00' AS last_seen,
               CAST(sum(f.event_count) AS BIGINT) AS event_count, CAST(sum(f.event_count) FILTER (WHERE f.event_type = 'WatchEvent') AS BIGINT) AS stars
        FROM read_parquet(${f}) f JOIN read_parquet(${out('dim_repo')}) r USING (repo_id) GROUP BY ALL ORDER BY repo_id
      ) TO ${out('repo_daily', `dt=${dt}`)} (FORMAT PARQUET)`);
      await e.run(`COPY (
        SELECT f.dt, f.user_id, u.login, TIMESTAMP '${dt} 00:00:00' AS first_seen, TIMESTAMP '${dt} 23:59:00' AS last_seen,
               CAST(sum(f.event_count) AS BIGINT) AS event_count
        FROM read_parquet(${f}) f JOIN read_parquet(${out('dim_user')}) u USING (user_id) GROUP BY ALL ORDER BY user_id
      ) TO ${out('user_daily', `dt=${dt}`)} (FORMAT PARQUET)`);
    }
  } finally {
    await e.close();
  }
}

async function writeAmplitudeGold(root: string, days: string[]): Promise<void> {
  const e = await DuckDbEngine.open();
  try {
    for (const [k, dt] of days.entries()) {
      for (const t of ['daily_events', 'daily_active_users']) await mkdir(join(root, t, `dt=${dt}`), { recursive: true });
      await e.run(`COPY (
        SELECT DATE '${dt}' AS event_date, event_type, platform, country,
               CAST(5 + (hash(event_type, platform, country, ${k}) % 200) AS BIGINT) AS event_count,
               CAST(1 + (hash(event_type, platform, country, ${k}) % 40) AS BIGINT) AS user_count, '${dt}' AS dt
        FROM (VALUES ('Page Viewed'), ('session_start'), ('Signed Up'), ('Purchase')) a(event_type),
             (VALUES ('iOS'), ('Android'), ('Web')) b(platform), (VALUES ('US'), ('DE'), ('IN')) c(country)
      ) TO ${sqlString(join(root, 'daily_events', `dt=${dt}`, 'part-0.parquet'))} (FORMAT PARQUET)`);
      await e.run(`COPY (SELECT DATE '${dt}' AS event_date, CAST(${120 + k * 17} AS BIGINT) AS active_users, CAST(${140 + k * 13} AS BIGINT) AS active_devices,
        CAST(${900 + k * 55} AS BIGINT) AS event_count, '${dt}' AS dt) TO ${sqlString(join(root, 'daily_active_users', `dt=${dt}`, 'part-0.parquet'))} (FORMAT PARQUET)`);
    }
  } finally {
    await e.close();
  }
}

function run(pipeline: string, window: string, status: RunRecord['status'], ms: number, minute: number, error?: string): RunRecord {
  const startedAt = new Date(Date.parse(`${window}T06:${String(minute).padStart(2, '0')}:00Z`) + 86_400_000).toISOString();
  return {
    runId: `${startedAt.replace(/[-:.]/g, '')}-${pipeline.slice(0, 6)}`,
    pipeline,
    window,
    status,
    trigger: 'schedule',
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + ms).toISOString(),
    durationMs: ms,
    host: 'test',
    pid: 1,
    steps: [{ id: 'transform', kind: 'transform', status: status === 'failed' ? 'failed' : 'succeeded', attempts: [] }],
    error: error ? { step: 'transform', message: error, retryable: true, next: 'eventlake run' } : undefined,
  };
}

async function writeOperateState(ctx: Context, days: string[]): Promise<void> {
  const history = new RunHistory(ctx.storage, ctx.layout);
  for (const [k, dt] of days.entries()) {
    await history.save(run('github-daily', dt, 'succeeded', 42_000 + k * 3_000, 5));
    await history.save(run('amplitude-daily', dt, k === days.length - 1 ? 'failed' : 'succeeded', 12_000 + k * 1_000, 10, k === days.length - 1 ? 'export answered HTTP 504' : undefined));
  }
  for (const dt of days) {
    await ctx.meta.putCheckpoint({ source: 'github', window: `gharchive-${dt}T23`, status: 'done' });
    await ctx.meta.putCheckpoint({ source: 'amplitude', window: `${dt}T00..${dt}T23`, status: 'done' });
  }
  const bad = [
    { file: 'raw/github/x.json.gz', line: 3, reason: 'truncated last line: malformed JSON', record: '{"id":' },
    { file: 'raw/github/x.json.gz', line: 9, reason: 'missing created_at: required', record: '{}' },
    { file: 'raw/github/x.json.gz', line: 12, reason: 'missing created_at: required', record: '{}' },
  ];
  await ctx.storage.put(ctx.layout.quarantineKey('github', days.at(-1)!, 'transform'), gzipSync(bad.map((b) => JSON.stringify(b)).join('\n') + '\n'));
  await putJson(ctx.storage, ctx.layout.metaKey('state', 'alerts', 'a1.json'), { kind: 'failure', subject: `pipeline amplitude-daily ${days.at(-1)} failed`, sentAt: Date.parse(`${days.at(-1)}T07:00:00Z`) });
  await putJson(ctx.storage, ctx.layout.metaKey('state', 'anomalies', 'github.json'), {
    source: 'github',
    generatedAt: `${days.at(-1)}T07:00:00Z`,
    days: days.length,
    anomalies: [{ source: 'github', series: 'WatchEvent', dt: days.at(-1), count: 5, median: 40, mad: 3, z: -8.1, direction: 'drop', explanation: 'WatchEvent fell to 5 (median 40)' }],
  });
}
