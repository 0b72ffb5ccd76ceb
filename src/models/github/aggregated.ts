// Gold (star schema) for the GitHub domain, incremental per dt.
//   fact_events/dt=…   counts per (dt, repo_id, user_id, event_type)                 rebuilt for each requested dt
//   repo_daily/dt=…    per-dt repo summary (name seen last, first/last, events, stars) rebuilt for each requested dt
//   user_daily/dt=…    per-dt user summary                                             rebuilt for each requested dt
//   dim_repo, dim_user, dim_date   small, rebuilt on every run from all per-dt summaries (the freshly staged dts plus
//                                  the existing partitions of the other dts), never from themselves, so rebuilding a dt
//                                  cannot leave stale first_seen/last_seen values behind.
// Everything is written under <stagingDir>/<table>/[dt=…/]part-0.parquet; the framework checks the staged tables and
// swaps them into the lake (src/layers/aggregate.ts). <aggregatedRoot> is only read.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AggregateBuildArgs } from '../../core/model.ts';
import type { Engine } from '../../core/engine.ts';
import { asEventlakeError } from '../../core/errors.ts';
import { sqlString } from '../../engines/duckdb/duckdb-engine.ts';
import { EVENTS_TABLE } from './cleaned.ts';
import { DIM_SOURCE, DIM_TABLES, PER_DT_TABLES, goldSelect } from './gold-sql.ts';
import { GITHUB_GOLD_TABLES } from './schema.ts';

export const GOLD_TABLES = GITHUB_GOLD_TABLES;
const PER_DT = PER_DT_TABLES;
const PART = 'part-0.parquet';

/** DuckDB's write-out of a gold SELECT (the same SELECT Athena wraps in CTAS / INSERT INTO). */
const copyTo = (select: string, out: string, codec: string) => `COPY (\n${select}\n) TO ${sqlString(out)} (FORMAT PARQUET, COMPRESSION ${codec})`;

function parquetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.parquet'));
}

/** Existing partition files of a per-dt table, except the dts being rebuilt. */
function keptPartitions(aggregatedRoot: string, table: string, rebuilt: Set<string>): string[] {
  const dir = join(aggregatedRoot, table);
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const d of readdirSync(dir).sort()) {
    const m = /^dt=(\d{4}-\d{2}-\d{2})$/.exec(d);
    if (!m || rebuilt.has(m[1]!)) continue;
    for (const f of parquetFiles(join(dir, d))) out.push(join(dir, d, f));
  }
  return out;
}

const fileList = (files: string[]) => `[${files.map(sqlString).join(', ')}]`;

async function count(engine: Engine, glob: string): Promise<number> {
  const [r] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(glob)})`);
  return Number(r!.n);
}

export async function buildAggregated(args: AggregateBuildArgs): Promise<Record<string, number>> {
  const { engine, cleanedRoot, aggregatedRoot, stagingDir, codec } = args;
  const codecSql = sqlString(codec);
  const rows: Record<string, number> = Object.fromEntries(PER_DT.map((t) => [t, 0]));
  const dts = [...new Set(args.dts)].sort();
  const staged: Record<string, string[]> = Object.fromEntries(PER_DT.map((t) => [t, [] as string[]]));
  try {
    for (const dt of dts) {
      const cleanedDir = join(cleanedRoot, EVENTS_TABLE, `dt=${dt}`);
      // No cleaned data for the dt: nothing to stage (the framework only asks for dts that have cleaned partitions).
      if (parquetFiles(cleanedDir).length === 0) continue;
      // The dt's cleaned files with their dt as a DATE column (the path's dt=… is not read as a column).
      const events = `(SELECT *, DATE ${sqlString(dt)} AS dt FROM read_parquet(${sqlString(join(cleanedDir, '*.parquet'))}, hive_partitioning = false)) AS events`;
      for (const t of PER_DT) {
        const dir = join(stagingDir, t, `dt=${dt}`);
        await mkdir(dir, { recursive: true });
        await engine.run(copyTo(goldSelect(t, 'duckdb', events), join(dir, PART), codecSql));
        staged[t]!.push(join(dir, PART));
        rows[t]! += await count(engine, join(dir, PART));
      }
    }

    const rebuilt = new Set(dts.filter((dt) => staged.fact_events!.some((f) => f.includes(`dt=${dt}`))));
    const all = (t: string) => [...keptPartitions(aggregatedRoot, t, rebuilt), ...staged[t]!];
    for (const t of DIM_TABLES) {
      const source = DIM_SOURCE[t];
      const files = all(source);
      if (files.length === 0) {
        rows[t] = 0;
        continue;
      }
      await mkdir(join(stagingDir, t), { recursive: true });
      await engine.run(copyTo(goldSelect(t, 'duckdb', `read_parquet(${fileList(files)}) AS ${source}`), join(stagingDir, t, PART), codecSql));
      rows[t] = await count(engine, join(stagingDir, t, PART));
    }
    return rows;
  } catch (e) {
    throw asEventlakeError(e, 'aggregate.github', `eventlake aggregate --source github --from ${dts[0]} --to ${dts[dts.length - 1]}`);
  }
}
