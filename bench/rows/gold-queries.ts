// GitHub gold build and named-query latency on a generated day of GH Archive-like hours.
//   silver: model.buildCleaned over the day vs a bare DuckDB read_ndjson(columns=…) → Parquet COPY of the same files
//   gold:   model.buildAggregated for the dt vs a bare single GROUP BY → Parquet of the fact table alone
//   each named query: p50/p95 over repeated runs on views over the gold Parquet (target: p95 < 1 s for a day)
// Quick mode: 2 hours × 5,000 events, 3 query runs. Full: 24 hours × 100,000 events (2.4 M), 20 query runs.
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchOptions } from '../run.ts';
import { median, percentile, type BenchRow } from '../lib/measure.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { model } from '../../src/models/github/index.ts';
import { registerGithubGoldViews } from '../../src/models/github/views.ts';
import { listNamedQueries, runNamedQuery, type NamedQueryParams } from '../../src/models/analytics.ts';

const DT = '2026-11-01';

/** One hour of Events API-shaped lines: skewed repo/user popularity, realistic type mix, ~1% duplicate ids. */
function hourSql(hour: number, perHour: number, out: string): string {
  const base = hour * perHour;
  return `COPY (
    WITH g AS (
      SELECT i, hash(i * 7919 + ${hour}) AS h1, hash(i * 104729 + ${hour}) AS h2, hash(i * 1299709 + ${hour}) AS h3
      FROM range(${base}, ${base + perHour}) t(i)
    ), e AS (
      SELECT CASE WHEN h3 % 100 = 0 AND i > ${base} THEN i - 1 ELSE i END AS eid,
        CAST(floor(pow((h1 % 1000000) / 1000000.0, 3) * 200000) AS BIGINT) + 1 AS repo,
        CAST(floor(pow((h2 % 1000000) / 1000000.0, 2) * 500000) AS BIGINT) + 1 AS usr,
        CASE WHEN h3 % 20 < 10 THEN 'PushEvent' WHEN h3 % 20 < 12 THEN 'WatchEvent' WHEN h3 % 20 < 14 THEN 'CreateEvent'
             WHEN h3 % 20 < 16 THEN 'PullRequestEvent' WHEN h3 % 20 < 18 THEN 'IssueCommentEvent' WHEN h3 % 20 < 19 THEN 'IssuesEvent'
             ELSE 'ForkEvent' END AS type,
        (h1 >> 20) % 3600 AS sec
      FROM g
    )
    SELECT CAST(40000000000 + eid AS VARCHAR) AS id, type,
      {'id': usr, 'login': CASE WHEN usr % 97 = 0 THEN 'app' || usr || '[bot]' ELSE 'user' || usr END,
       'display_login': 'user' || usr, 'gravatar_id': '', 'url': 'https://api.github.com/users/user' || usr,
       'avatar_url': 'https://avatars.githubusercontent.com/u/' || usr || '?'} AS actor,
      {'id': repo, 'name': 'owner' || (repo % 50000) || '/repo' || repo, 'url': 'https://api.github.com/repos/owner' || (repo % 50000) || '/repo' || repo} AS repo,
      CASE type
        WHEN 'PushEvent' THEN json_object('repository_id', repo, 'push_id', eid, 'ref', 'refs/heads/main', 'head', md5(eid::VARCHAR) || 'abcdefgh', 'before', md5((eid + 1)::VARCHAR) || 'abcdefgh')
        WHEN 'WatchEvent' THEN json_object('action', 'started')
        WHEN 'PullRequestEvent' THEN json_object('action', 'opened', 'number', eid % 5000, 'pull_request', json_object('id', eid, 'number', eid % 5000, 'url', 'https://api.github.com/repos/x/y/pulls/' || (eid % 5000), 'head', json_object('ref', 'feature', 'sha', md5(eid::VARCHAR)), 'base', json_object('ref', 'main', 'sha', md5((eid + 2)::VARCHAR))))
        ELSE json_object('action', 'created', 'ref', 'v1.' || (eid % 100), 'ref_type', 'tag', 'description', repeat('lorem ipsum ', 8))
      END AS payload,
      true AS public,
      strftime(TIMESTAMP '${DT} 00:00:00' + INTERVAL (${hour}) HOUR + INTERVAL (sec) SECOND, '%Y-%m-%dT%H:%M:%SZ') AS created_at
    FROM e
  ) TO ${sqlString(out)} (FORMAT JSON, COMPRESSION GZIP)`;
}

/** The aggregate framework's swap of staged gold tables into the lake (per dt partition, else whole table). */
function promote(staging: string, root: string): void {
  for (const table of readdirSync(staging)) {
    const parts = readdirSync(join(staging, table)).filter((d) => d.startsWith('dt='));
    const moves = parts.length ? parts.map((p) => [join(staging, table, p), join(root, table, p)]) : [[join(staging, table), join(root, table)]];
    for (const [from, to] of moves) {
      rmSync(to!, { recursive: true, force: true });
      mkdirSync(join(to!, '..'), { recursive: true });
      renameSync(from!, to!);
    }
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [(performance.now() - t0) / 1000, r];
}

export async function rows(opts: BenchOptions): Promise<BenchRow[]> {
  const hours = opts.quick ? 2 : 24;
  const perHour = opts.quick ? 5_000 : 100_000;
  const runs = opts.quick ? 3 : 20;
  const buildRuns = opts.quick ? 1 : 2;
  const lake = join(opts.workDir, 'lake');
  const engine = await DuckDbEngine.open({ memoryLimit: '1GB', tempDirectory: join(opts.workDir, 'spill') });
  const out: BenchRow[] = [];
  try {
    const rawFiles: string[] = [];
    for (let h = 0; h < hours; h++) {
      const dir = join(lake, 'raw/github', `dt=${DT}`, `hour=${String(h).padStart(2, '0')}`);
      mkdirSync(dir, { recursive: true });
      const f = join(dir, `${DT}-${h}.json.gz`);
      await engine.run(hourSql(h, perHour, f));
      rawFiles.push(f);
    }

    // Silver, ours vs the bare DuckDB COPY of the same files with explicit columns.
    const cleanedRoot = join(lake, 'cleaned/github');
    const silverTimes: number[] = [];
    const bareTimes: number[] = [];
    let cleanedRes;
    for (let r = 0; r < buildRuns; r++) {
      const staging = join(opts.workDir, `staging-${r}`);
      const [t, res] = await timed(() =>
        model.buildCleaned({ engine, dt: DT, rawFiles, stagingDir: staging, codec: 'zstd', quarantineFile: join(opts.workDir, 'q.ndjson') }),
      );
      silverTimes.push(t);
      cleanedRes = res;
      const target = join(cleanedRoot, 'events', `dt=${DT}`);
      rmSync(target, { recursive: true, force: true });
      mkdirSync(target, { recursive: true });
      await engine.run(`COPY (SELECT * FROM read_parquet(${sqlString(join(staging, 'events', 'part-0.parquet'))})) TO ${sqlString(join(target, 'part-0.parquet'))} (FORMAT PARQUET)`);
      rmSync(staging, { recursive: true, force: true });
      const bareOut = join(opts.workDir, 'bare.parquet');
      const [tb] = await timed(() =>
        engine.run(`COPY (SELECT * FROM read_ndjson(${`[${rawFiles.map(sqlString).join(', ')}]`}, columns = {'id': 'VARCHAR', 'type': 'VARCHAR',
          'actor': 'JSON', 'repo': 'JSON', 'org': 'JSON', 'payload': 'JSON', 'public': 'BOOLEAN', 'created_at': 'TIMESTAMPTZ'}))
          TO ${sqlString(bareOut)} (FORMAT PARQUET, COMPRESSION 'zstd')`),
      );
      bareTimes.push(tb);
      rmSync(bareOut, { force: true });
    }
    const events = hours * perHour;
    const s = median(silverTimes);
    const b = median(bareTimes);
    out.push({
      row: 'github silver (raw → cleaned)',
      ours: `${s.toFixed(2)} s (${Math.round(events / s).toLocaleString('en')} ev/s)`,
      comparison: `bare read_ndjson COPY ${b.toFixed(2)} s`,
      ratio: s / b,
      target: '≤ 3.0x bare COPY (info)',
      pass: null,
      notes: `${events.toLocaleString('en')} events in ${hours} files; kept ${cleanedRes!.rows.events}, duplicates ${cleanedRes!.duplicates}, quarantined ${cleanedRes!.quarantined}; ours adds line numbering, validation, dedup`,
    });

    // Gold build, ours vs a bare single GROUP BY of the fact table.
    const aggregatedRoot = join(lake, 'aggregated/github');
    const goldTimes: number[] = [];
    const bareGold: number[] = [];
    let gold: Record<string, number> = {};
    for (let r = 0; r < buildRuns; r++) {
      const gstaging = join(opts.workDir, `gstaging-${r}`);
      mkdirSync(gstaging, { recursive: true });
      const [t, res] = await timed(() => model.buildAggregated!({ engine, dts: [DT], cleanedRoot, aggregatedRoot, stagingDir: gstaging, codec: 'zstd' }));
      goldTimes.push(t);
      gold = res;
      promote(gstaging, aggregatedRoot);
      const [tb] = await timed(() =>
        engine.run(`COPY (SELECT DATE '${DT}' AS dt, repo_id, actor_id AS user_id, type AS event_type, count(*) AS event_count
          FROM read_parquet(${sqlString(join(cleanedRoot, 'events', `dt=${DT}`, '*.parquet'))}) GROUP BY ALL) TO ${sqlString(join(opts.workDir, 'bare-fact.parquet'))} (FORMAT PARQUET)`),
      );
      bareGold.push(tb);
    }
    const g = median(goldTimes);
    const gb = median(bareGold);
    out.push({
      row: 'github gold build (1 dt)',
      ours: `${g.toFixed(2)} s`,
      comparison: `bare fact GROUP BY ${gb.toFixed(2)} s`,
      ratio: g / gb,
      target: '≤ 4.0x bare fact-only (info)',
      pass: null,
      notes: `rows: ${Object.entries(gold).map(([k, v]) => `${k} ${v}`).join(', ')}; ours also writes repo/user daily summaries and rebuilds 3 dims`,
    });

    // Named queries.
    await registerGithubGoldViews(engine, aggregatedRoot);
    const topRepos = (await runNamedQuery(engine, 'top_repos_by_stars', { limit: 3 })).map((r) => String(r.repo_name));
    const paramsFor: Record<string, NamedQueryParams> = {
      events_by_repo_over_time: { from: DT, to: DT, repos: topRepos },
      most_active_users: { from: DT, to: DT, limit: 10 },
      event_type_trends: { from: DT, to: DT },
      top_repos_by_stars: { from: DT, to: DT, limit: 10 },
    };
    for (const q of listNamedQueries()) {
      const params = paramsFor[q.name] ?? {};
      await runNamedQuery(engine, q.name, params); // warm-up (file metadata cache)
      const ms: number[] = [];
      let n = 0;
      for (let r = 0; r < runs; r++) {
        const [t, res] = await timed(() => runNamedQuery(engine, q.name, params));
        ms.push(t * 1000);
        n = res.length;
      }
      const p95 = percentile(ms, 95);
      out.push({
        row: `query ${q.name}`,
        ours: `p50 ${median(ms).toFixed(1)} ms / p95 ${p95.toFixed(1)} ms`,
        comparison: '-',
        ratio: null,
        target: 'p95 < 1000 ms',
        pass: p95 < 1000,
        notes: `${runs} runs, ${n} rows, over ${gold.fact_events ?? 0} fact rows`,
      });
    }
  } finally {
    await engine.close();
  }
  return out;
}
