// Runs the GitHub gold build (the same model SELECTs DuckDB runs, src/models/github/gold-sql.ts) on Athena.
// Per-dt tables (fact_events, repo_daily, user_daily): a table not yet in Glue gets one CTAS for the first ≤100 dts
// (its location emptied first: CTAS refuses a non-empty one) and INSERT INTO per further chunk; an existing table gets,
// per chunk of ≤100 dts, the chunk's dt=…/ prefixes deleted and then one INSERT INTO. Dimensions (dim_repo, dim_user,
// dim_date) are rebuilt whole from every partition of their per-dt table: location emptied, then INSERT INTO (or
// CTAS when the table does not exist). So every step is "delete what the step writes, then write it": a rerun of any
// window, or of a run that failed half-way, replaces and never duplicates. Athena has no transactions: between the
// delete and the INSERT the deleted partitions read as empty.
import { EventlakeError } from '../../core/errors.ts';
import { catalogTableName } from '../../models/gold-schema.ts';
import type { QueryOutcome } from '../../cloud/aws/athena.ts';
import {
  DIM_SOURCE, DIM_TABLES, GOLD_COLUMNS, PER_DT_TABLES, goldSelect, isPerDt, type GoldTableName,
} from '../../models/github/gold-sql.ts';
import { MAX_PARTITIONS_PER_QUERY, assertGlueName, chunk, modelCtasStatement, modelInsertStatement, q, tableSource } from './athena-sql.ts';
import { AMPLITUDE_GOLD_COLUMNS, GOLD_TABLES as AMPLITUDE_GOLD_TABLES, amplitudeGoldSelect, touchedDatesSelect, type AmplitudeGoldTable } from '../../models/amplitude/gold.ts';

export interface AthenaGoldPlanOptions {
  database: string;
  /** dts to (re)build, YYYY-MM-DD. */
  dts: string[];
  /** Glue name of the cleaned GitHub events table (default github_events, as `eventlake athena setup` names it). */
  eventsTable?: string;
  /** Glue name of a gold table (default github_<table>, as `eventlake athena setup` names it). */
  tableName?: (t: GoldTableName) => string;
  /** s3://bucket/…/aggregated/github/<table>/ of a gold table (ending in /). */
  location: (t: GoldTableName) => string;
  /** Gold tables already in Glue (they get INSERT INTO; the others CTAS). */
  existing: ReadonlySet<string>;
  chunkSize?: number;
}

export type GoldStep =
  /** Delete every object under an S3 prefix (what the next statement will write). */
  | { kind: 'clear'; table: string; location: string; dts?: string[] }
  | { kind: 'sql'; table: string; verb: 'CTAS' | 'INSERT'; sql: string; dts?: string[] };

/** Glue names follow the catalog's one rule (src/models/gold-schema.ts), as the CDK Catalog stack does. */
const defaultName = (t: GoldTableName) => catalogTableName('github', t);

interface PerDtTarget {
  /** Glue table name, and its qualified SQL name. */
  name: string;
  target: string;
  /** The model's columns in write order (dt among them). */
  columns: readonly string[];
  location: string;
  exists: boolean;
}

/**
 * The steps writing some dt partitions of a per-dt gold table, a chunk (≤100 dts) per statement. A table not in Glue
 * yet: its location emptied, CTAS for the first chunk, INSERT INTO for the others. An existing table: per chunk, the
 * chunk's dt=…/ prefixes deleted, then INSERT INTO.
 */
function perDtSteps(t: PerDtTarget, chunks: string[][], select: (dts: string[]) => string): GoldStep[] {
  const steps: GoldStep[] = [];
  if (!t.exists) steps.push({ kind: 'clear', table: t.name, location: t.location });
  chunks.forEach((c, i) => {
    const sql = select(c);
    if (!t.exists && i === 0) {
      steps.push({ kind: 'sql', table: t.name, verb: 'CTAS', sql: modelCtasStatement(t.target, sql, t.columns, { location: t.location, partitioned: true }), dts: c });
      return;
    }
    if (t.exists) steps.push({ kind: 'clear', table: t.name, location: t.location, dts: c });
    steps.push({ kind: 'sql', table: t.name, verb: 'INSERT', sql: modelInsertStatement(t.target, sql, t.columns, true), dts: c });
  });
  return steps;
}

/** The ordered steps of a gold build on Athena (pure: no calls; printed by --print and checked by the tests). */
export function planAthenaGold(o: AthenaGoldPlanOptions): GoldStep[] {
  const db = assertGlueName(o.database, 'database');
  const events = assertGlueName(o.eventsTable ?? catalogTableName('github', 'events'), 'table');
  const nameOf = (t: GoldTableName) => assertGlueName((o.tableName ?? defaultName)(t), 'table');
  const dts = [...new Set(o.dts)].sort();
  if (dts.length === 0) throw new EventlakeError('no dts to aggregate', { step: 'athena.aggregate', code: 'USAGE' });
  const size = o.chunkSize ?? MAX_PARTITIONS_PER_QUERY;
  const steps: GoldStep[] = [];
  for (const t of PER_DT_TABLES) {
    const name = nameOf(t);
    const table = { name, target: `${q(db)}.${q(name)}`, columns: GOLD_COLUMNS[t].map(([c]) => c), location: o.location(t), exists: o.existing.has(name) };
    steps.push(...perDtSteps(table, chunk(dts, size), (c) => goldSelect(t, 'trino', tableSource(db, events, 'events', c))));
  }
  for (const t of DIM_TABLES) {
    const name = nameOf(t);
    const target = `${q(db)}.${q(name)}`;
    const cols = GOLD_COLUMNS[t].map(([c]) => c);
    const location = o.location(t);
    const select = goldSelect(t, 'trino', tableSource(db, nameOf(DIM_SOURCE[t]), DIM_SOURCE[t]));
    steps.push({ kind: 'clear', table: name, location });
    steps.push(
      o.existing.has(name)
        ? { kind: 'sql', table: name, verb: 'INSERT', sql: modelInsertStatement(target, select, cols, false) }
        : { kind: 'sql', table: name, verb: 'CTAS', sql: modelCtasStatement(target, select, cols, { location, partitioned: false }) },
    );
  }
  return steps;
}

export interface AthenaGoldRunner {
  /** Runs one statement to completion (AthenaEngine.execute). */
  execute(sql: string): Promise<QueryOutcome>;
  /** Deletes every object under s3://… (a whole table location, or one dt=…/ prefix below it); returns objects deleted. */
  clear(location: string): Promise<number>;
  onStep?: (index: number, total: number, step: GoldStep, outcome?: QueryOutcome) => void;
}

export interface AthenaGoldResult {
  steps: number;
  statements: number;
  clearedObjects: number;
  scannedBytes: number;
}

/** Runs planned steps in order; a failure names the step and the command that resumes (reruns replace). */
export async function runAthenaGold(steps: GoldStep[], r: AthenaGoldRunner, rerun: () => string): Promise<AthenaGoldResult> {
  const res: AthenaGoldResult = { steps: steps.length, statements: 0, clearedObjects: 0, scannedBytes: 0 };
  for (const [i, s] of steps.entries()) {
    const what =
      s.kind === 'clear'
        ? `clearing ${s.dts ? `${s.dts.length} dt partition(s) of ` : ''}${s.table} (${s.location})`
        : `${s.verb} ${s.table}${s.dts ? ` for ${s.dts[0]}..${s.dts.at(-1)}` : ''}`;
    try {
      if (s.kind === 'clear') {
        for (const loc of s.dts ? s.dts.map((d) => `${s.location}dt=${d}/`) : [s.location]) res.clearedObjects += await r.clear(loc);
        r.onStep?.(i, steps.length, s);
      } else {
        const out = await r.execute(s.sql);
        res.statements++;
        res.scannedBytes += out.dataScannedBytes ?? 0;
        r.onStep?.(i, steps.length, s, out);
      }
    } catch (e) {
      const cause = e as EventlakeError;
      throw new EventlakeError(`athena gold build failed at step ${i + 1}/${steps.length}: ${what}: ${cause.message ?? String(e)}`, {
        step: `athena.aggregate.${s.table}`,
        cause: e,
        retryable: cause.retryable ?? false,
        code: cause.code,
        context: { stepIndex: i + 1, steps: steps.length, table: s.table, ...(s.kind === 'sql' ? { verb: s.verb } : {}) },
        // Every step deletes what it writes first, so rerunning the whole window is safe; the dimensions need all dts.
        next: rerun(),
      });
    }
  }
  return res;
}


/**
 * One gold table's INSERT INTO for a scheduled one-day run (the CDK Step Functions pipeline renders these at synth
 * time): a per-dt table reads the silver events of `dt = ?` (the one Athena execution parameter), a dimension reads
 * every partition of its per-dt table (no parameter). Names are unqualified: the query's database is the context.
 * The caller deletes what the statement writes first (the dt=…/ prefix, or the dimension's whole location).
 */
export function dailyGoldInsert(t: GoldTableName, names: { events: string; table: (t: GoldTableName) => string }): string {
  const cols = GOLD_COLUMNS[t].map(([c]) => c);
  const source = isPerDt(t)
    ? `(SELECT * FROM ${q(names.events)} WHERE ${q('dt')} = ?) AS ${q('events')}`
    : `${q(names.table(DIM_SOURCE[t]))} AS ${q(DIM_SOURCE[t])}`;
  return modelInsertStatement(q(names.table(t)), goldSelect(t, 'trino', source), cols, isPerDt(t));
}

// ---------------------------------------------------------------------------------------------------------------
// Amplitude gold on Athena (models/amplitude/gold_*.sql, the same SELECTs the embedded build runs). The gold is keyed
// by event day, not arrival dt: first the touched-dates query reads the rebuilt arrival dts of amplitude_events and
// names the event days they hold; then each gold table is rebuilt for exactly those days from every partition of
// amplitude_events (late arrivals and cross-dt duplicates), per chunk of ≤100 event days (the partitions written):
// CTAS for the first chunk of a table not yet in Glue (location emptied first), else the chunk's dt=…/ prefixes
// deleted, then INSERT INTO. A rerun replaces those days, never duplicates.

export interface AthenaAmplitudeGoldOptions {
  database: string;
  /** Event days to rebuild (the touched-dates query's answer), YYYY-MM-DD. */
  dates: string[];
  /** Glue name of the cleaned Amplitude events table (default amplitude_events, infra/lib/catalog-tables.ts). */
  eventsTable?: string;
  /** Glue name of a gold table (default amplitude_<table>). */
  tableName?: (t: AmplitudeGoldTable) => string;
  /** s3://bucket/…/aggregated/amplitude/<table>/ (ending in /). */
  location: (t: AmplitudeGoldTable) => string;
  existing: ReadonlySet<string>;
  chunkSize?: number;
}

/** The touched-dates query for some arrival dts (its one column, event_date, is the list to plan with). */
export function amplitudeTouchedDatesQuery(database: string, dts: readonly string[], eventsTable = 'amplitude_events'): string {
  const db = assertGlueName(database, 'database');
  const events = assertGlueName(eventsTable, 'table');
  if (dts.length === 0) throw new EventlakeError('no dts to aggregate', { step: 'athena.aggregate', code: 'USAGE' });
  return touchedDatesSelect('trino', tableSource(db, events, 'cleaned', [...new Set(dts)].sort()));
}

/** The ordered steps of an Amplitude gold build on Athena for the given event days (pure, like planAthenaGold). */
export function planAthenaAmplitudeGold(o: AthenaAmplitudeGoldOptions): GoldStep[] {
  const db = assertGlueName(o.database, 'database');
  const events = assertGlueName(o.eventsTable ?? catalogTableName('amplitude', 'events'), 'table');
  const nameOf = (t: AmplitudeGoldTable) => assertGlueName((o.tableName ?? ((x) => catalogTableName('amplitude', x)))(t), 'table');
  const dates = [...new Set(o.dates)].sort();
  if (dates.length === 0) return [];
  const size = o.chunkSize ?? MAX_PARTITIONS_PER_QUERY;
  const steps: GoldStep[] = [];
  for (const t of AMPLITUDE_GOLD_TABLES) {
    const name = nameOf(t);
    const table = { name, target: `${q(db)}.${q(name)}`, columns: AMPLITUDE_GOLD_COLUMNS[t].map(([c]) => c), location: o.location(t), exists: o.existing.has(name) };
    steps.push(...perDtSteps(table, chunk(dates, size), (c) => amplitudeGoldSelect(t, 'trino', tableSource(db, events, 'cleaned'), c)));
  }
  return steps;
}
