// Gold (star schema) for the GitHub domain, incremental per dt.
//   fact_events/dt=…   counts per (dt, repo_id, user_id, event_type)        rebuilt for each requested dt
//   repo_daily/dt=…    per-dt repo summary (name seen last, first/last, events, stars)   rebuilt for each requested dt
//   user_daily/dt=…    per-dt user summary                                    rebuilt for each requested dt
//   dim_repo, dim_user, dim_date   small, rebuilt from all per-dt partitions after every run (never from themselves,
//                                  so rebuilding a dt cannot leave stale first_seen/last_seen values behind)
// Every file is written to the staging folder first and renamed into place (atomic replace of part-0.parquet).
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AggregateBuildArgs } from '../../core/model.ts';
import type { Engine } from '../../core/engine.ts';
import { asEventlakeError } from '../../core/errors.ts';
import { sqlString } from '../../engines/duckdb/duckdb-engine.ts';
import { githubSql } from './sql.ts';
import { EVENTS_TABLE } from './cleaned.ts';

export const GOLD_TABLES = ['dim_date', 'dim_repo', 'dim_user', 'fact_events', 'repo_daily', 'user_daily'] as const;
const PER_DT = ['fact_events', 'repo_daily', 'user_daily'] as const;
const PART = 'part-0.parquet';

function userKeySql(): string {
  return githubSql('user_key', {})
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join(' ')
    .trim();
}

function parquetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.parquet'));
}

/** Moves <staging>/<rel>/part-0.parquet over <root>/<rel>/part-0.parquet and removes any other part files there. */
async function promote(stagingDir: string, root: string, rel: string): Promise<void> {
  const dir = join(root, rel);
  await mkdir(dir, { recursive: true });
  await rename(join(stagingDir, rel, PART), join(dir, PART));
  for (const f of parquetFiles(dir)) if (f !== PART) await rm(join(dir, f), { force: true });
}

async function count(engine: Engine, glob: string): Promise<number> {
  const [r] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(glob)})`);
  return Number(r!.n);
}

export async function buildAggregated(args: AggregateBuildArgs): Promise<Record<string, number>> {
  const { engine, cleanedRoot, aggregatedRoot, codec } = args;
  const staging = join(args.stagingDir, '_github_gold');
  const codecSql = sqlString(codec);
  const userKey = userKeySql();
  const rows: Record<string, number> = Object.fromEntries(PER_DT.map((t) => [t, 0]));
  try {
    await rm(staging, { recursive: true, force: true });
    for (const dt of [...new Set(args.dts)].sort()) {
      const cleanedDir = join(cleanedRoot, EVENTS_TABLE, `dt=${dt}`);
      if (parquetFiles(cleanedDir).length === 0) {
        // Nothing cleaned for this dt (any more): drop its gold partitions rather than keep stale counts.
        for (const t of PER_DT) await rm(join(aggregatedRoot, t, `dt=${dt}`), { recursive: true, force: true });
        continue;
      }
      const vars = { events: sqlString(join(cleanedDir, '*.parquet')), dt: `DATE ${sqlString(dt)}`, user_key: userKey, codec: codecSql };
      for (const t of PER_DT) {
        const rel = join(t, `dt=${dt}`);
        await mkdir(join(staging, rel), { recursive: true });
        await engine.run(githubSql(`gold_${t}`, { ...vars, out: sqlString(join(staging, rel, PART)) }));
      }
      for (const t of PER_DT) {
        await promote(staging, aggregatedRoot, join(t, `dt=${dt}`));
        rows[t]! += await count(engine, join(aggregatedRoot, t, `dt=${dt}`, PART));
      }
    }

    const glob = (t: string) => sqlString(join(aggregatedRoot, t, 'dt=*', '*.parquet'));
    const hasPartitions = existsSync(join(aggregatedRoot, 'fact_events')) && readdirSync(join(aggregatedRoot, 'fact_events')).some((d) => parquetFiles(join(aggregatedRoot, 'fact_events', d)).length);
    const dims: [string, Record<string, string>][] = [
      ['dim_repo', { repo_daily: glob('repo_daily') }],
      ['dim_user', { user_daily: glob('user_daily') }],
      ['dim_date', { fact_events: glob('fact_events') }],
    ];
    for (const [t, v] of dims) {
      if (!hasPartitions) {
        await rm(join(aggregatedRoot, t), { recursive: true, force: true });
        rows[t] = 0;
        continue;
      }
      await mkdir(join(staging, t), { recursive: true });
      await engine.run(githubSql(`gold_${t}`, { ...v, out: sqlString(join(staging, t, PART)), codec: codecSql }));
      await promote(staging, aggregatedRoot, t);
      rows[t] = await count(engine, join(aggregatedRoot, t, PART));
    }
    return rows;
  } catch (e) {
    throw asEventlakeError(e, 'aggregate.github', `eventlake aggregate --source github`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
