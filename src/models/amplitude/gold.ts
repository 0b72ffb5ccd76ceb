// Amplitude gold, incremental per event day: the arrival dts just rebuilt name the event days they touch, and each
// touched day is recomputed from every cleaned partition (so late arrivals and cross-dt duplicates are handled).
// The SELECTs (models/amplitude/gold_*.sql) are defined once and rendered per dialect here: the embedded build below
// wraps them in DuckDB COPY … TO Parquet, Athena (src/engines/athena/gold.ts) in CTAS / INSERT INTO.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AggregateBuildArgs } from '../../core/model.ts';
import { EventlakeError } from '../../core/errors.ts';
import { sqlString } from '../../engines/duckdb/duckdb-engine.ts';
import { modelSql, sqlList } from '../../layers/sql-files.ts';
import { MODEL_DIALECTS, renderModel, type ModelDialectName } from '../dialect.ts';
import { MAIN_TABLE } from './cleaned.ts';
import { AMPLITUDE_GOLD_SCHEMA, AMPLITUDE_GOLD_TABLES, type AmplitudeGoldTable } from './schema.ts';

export { AMPLITUDE_GOLD_TABLES as GOLD_TABLES, type AmplitudeGoldTable };

/** Output columns (name, logical type) in the order the models write them (dt, the event day as text, last): schema.ts. */
export const AMPLITUDE_GOLD_COLUMNS = AMPLITUDE_GOLD_SCHEMA;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const stripComments = (s: string) => s.split('\n').filter((l) => !l.trim().startsWith('--')).join('\n').trim();

/** The touched-dates SELECT: distinct UTC event days in `parts`, a FROM item over the rebuilt arrival dts only. */
export function touchedDatesSelect(dialect: ModelDialectName, parts: string): string {
  return stripComments(renderModel('models/amplitude/gold_touched_dates.sql', modelSql('amplitude/gold_touched_dates.sql'), MODEL_DIALECTS[dialect], { parts }));
}

/**
 * One gold table's SELECT for the given event days (YYYY-MM-DD), reading `cleaned`: a FROM item over every cleaned
 * partition (an event day can arrive in any dt). Rows come only for those days, dt = the event day.
 */
export function amplitudeGoldSelect(table: AmplitudeGoldTable, dialect: ModelDialectName, cleaned: string, dates: readonly string[]): string {
  const days = [...new Set(dates)].sort();
  const bad = days.find((d) => !DAY.test(d));
  if (bad !== undefined || days.length === 0) {
    throw new EventlakeError(`amplitude gold: event dates must be YYYY-MM-DD (got ${JSON.stringify(bad ?? days)})`, { step: 'model' });
  }
  const d = MODEL_DIALECTS[dialect];
  const vars = { cleaned, lo: d.utcDayStart(days[0]!), hi: d.utcDayStart(nextDay(days.at(-1)!)), dates: days.map((x) => `'${x}'`).join(', ') };
  return stripComments(renderModel(`models/amplitude/gold_${table}.sql`, modelSql(`amplitude/gold_${table}.sql`), d, vars));
}

function parquetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, f));
}

export async function buildAmplitudeGold(args: AggregateBuildArgs): Promise<Record<string, number>> {
  const { engine, dts, cleanedRoot, stagingDir, codec } = args;
  const tableDir = join(cleanedRoot, MAIN_TABLE);
  const touchedParts = dts.flatMap((dt) => parquetFiles(join(tableDir, `dt=${dt}`)));
  const out: Record<string, number> = Object.fromEntries(AMPLITUDE_GOLD_TABLES.map((t) => [t, 0]));
  if (touchedParts.length === 0) return out;
  const dates = (await engine.all<{ event_date: string }>(touchedDatesSelect('duckdb', `read_parquet(${sqlList(touchedParts)}) AS cleaned`))).map((r) => r.event_date);
  if (dates.length === 0) return out;
  const allParts = readdirSync(tableDir)
    .filter((d) => d.startsWith('dt='))
    .flatMap((d) => parquetFiles(join(tableDir, d)));
  for (const table of AMPLITUDE_GOLD_TABLES) {
    const dest = join(stagingDir, table);
    await engine.run(
      `COPY (${amplitudeGoldSelect(table, 'duckdb', `read_parquet(${sqlList(allParts)}) AS cleaned`, dates)}) TO ${sqlString(dest)} ` +
        `(FORMAT PARQUET, COMPRESSION ${codec}, PARTITION_BY (dt), FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE true)`,
    );
    const [c] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(join(dest, '*', '*.parquet'))})`);
    out[table] = Number(c?.n ?? 0);
  }
  return out;
}
