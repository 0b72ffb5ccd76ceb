// Amplitude gold, incremental per event day: the arrival dts just rebuilt name the event days they touch, and each
// touched day is recomputed from every cleaned partition (so late arrivals and cross-dt duplicates are handled).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AggregateBuildArgs } from '../../core/model.ts';
import { sqlString } from '../../engines/duckdb/duckdb-engine.ts';
import { modelSql, render, sqlList } from '../../layers/sql-files.ts';
import { MAIN_TABLE } from './cleaned.ts';

export const GOLD_TABLES = ['daily_events', 'daily_active_users'] as const;

function parquetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, f));
}

export async function buildAmplitudeGold(args: AggregateBuildArgs): Promise<Record<string, number>> {
  const { engine, dts, cleanedRoot, stagingDir, codec } = args;
  const tableDir = join(cleanedRoot, MAIN_TABLE);
  const touchedParts = dts.flatMap((dt) => parquetFiles(join(tableDir, `dt=${dt}`)));
  const out: Record<string, number> = Object.fromEntries(GOLD_TABLES.map((t) => [t, 0]));
  if (touchedParts.length === 0) return out;
  const dates = (await engine.all<{ event_date: string }>(render(modelSql('amplitude/gold_touched_dates.sql'), { parts: sqlList(touchedParts) }))).map((r) => r.event_date);
  if (dates.length === 0) return out;
  const allParts = readdirSync(tableDir)
    .filter((d) => d.startsWith('dt='))
    .flatMap((d) => parquetFiles(join(tableDir, d)));
  const hi = new Date(Date.parse(`${dates[dates.length - 1]}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const vars = {
    cleaned: sqlList(allParts),
    lo: `TIMESTAMPTZ ${sqlString(`${dates[0]} 00:00:00+00`)}`,
    hi: `TIMESTAMPTZ ${sqlString(`${hi} 00:00:00+00`)}`,
    dates: dates.map(sqlString).join(', '),
  };
  for (const table of GOLD_TABLES) {
    const dest = join(stagingDir, table);
    await engine.run(
      `COPY (${render(modelSql(`amplitude/gold_${table}.sql`), vars)}) TO ${sqlString(dest)} ` +
        `(FORMAT PARQUET, COMPRESSION ${codec}, PARTITION_BY (dt), FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE true)`,
    );
    const [c] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(join(dest, '*', '*.parquet'))})`);
    out[table] = Number(c?.n ?? 0);
  }
  return out;
}
