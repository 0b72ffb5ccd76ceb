// Runs the GitHub gold build (the same model SELECTs DuckDB runs, src/models/github/gold-sql.ts) on Athena.
// Per-dt tables (fact_events, repo_daily, user_daily): a table not yet in Glue gets one CTAS for the first ≤100 dts
// (its location emptied first: CTAS refuses a non-empty one) and INSERT INTO per further chunk; an existing table gets,
// per chunk of ≤100 dts, the chunk's dt=…/ prefixes deleted and then one INSERT INTO. Dimensions (dim_repo, dim_user,
// dim_date) are rebuilt whole from every partition of their per-dt table: location emptied, then INSERT INTO (or
// CTAS when the table does not exist). So every step is "delete what the step writes, then write it": a rerun of any
// window, or of a run that failed half-way, replaces and never duplicates. Athena has no transactions: between the
// delete and the INSERT the deleted partitions read as empty.
import { EventlakeError } from '../../core/errors.ts';
import type { QueryOutcome } from '../../cloud/aws/athena.ts';
import {
  DIM_SOURCE, DIM_TABLES, GOLD_COLUMNS, PER_DT_TABLES, goldSelect, type GoldTableName,
} from '../../models/github/gold-sql.ts';
import { MAX_PARTITIONS_PER_QUERY, assertGlueName, chunk, modelCtasStatement, modelInsertStatement, q, tableSource } from './athena-sql.ts';

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

const defaultName = (t: GoldTableName) => `github_${t}`;

/** The ordered steps of a gold build on Athena (pure: no calls; printed by --print and checked by the tests). */
export function planAthenaGold(o: AthenaGoldPlanOptions): GoldStep[] {
  const db = assertGlueName(o.database, 'database');
  const events = assertGlueName(o.eventsTable ?? 'github_events', 'table');
  const nameOf = (t: GoldTableName) => assertGlueName((o.tableName ?? defaultName)(t), 'table');
  const dts = [...new Set(o.dts)].sort();
  if (dts.length === 0) throw new EventlakeError('no dts to aggregate', { step: 'athena.aggregate', code: 'USAGE' });
  const size = o.chunkSize ?? MAX_PARTITIONS_PER_QUERY;
  const steps: GoldStep[] = [];
  for (const t of PER_DT_TABLES) {
    const name = nameOf(t);
    const target = `${q(db)}.${q(name)}`;
    const cols = GOLD_COLUMNS[t].map(([c]) => c);
    const location = o.location(t);
    const exists = o.existing.has(name);
    if (!exists) steps.push({ kind: 'clear', table: name, location });
    chunk(dts, size).forEach((c, i) => {
      const select = goldSelect(t, 'trino', tableSource(db, events, 'events', c));
      if (!exists && i === 0) {
        steps.push({ kind: 'sql', table: name, verb: 'CTAS', sql: modelCtasStatement(target, select, cols, { location, partitioned: true }), dts: c });
        return;
      }
      if (exists) steps.push({ kind: 'clear', table: name, location, dts: c });
      steps.push({ kind: 'sql', table: name, verb: 'INSERT', sql: modelInsertStatement(target, select, cols, true), dts: c });
    });
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
  const perDt = (PER_DT_TABLES as readonly string[]).includes(t);
  const source = perDt
    ? `(SELECT * FROM ${q(names.events)} WHERE ${q('dt')} = ?) AS ${q('events')}`
    : `${q(names.table(DIM_SOURCE[t as keyof typeof DIM_SOURCE]))} AS ${q(DIM_SOURCE[t as keyof typeof DIM_SOURCE])}`;
  return modelInsertStatement(q(names.table(t)), goldSelect(t, 'trino', source), cols, perDt);
}
