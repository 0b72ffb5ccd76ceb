// Data-quality checks run after each step, before promotion. A failing 'error' check keeps the staged data out of
// the lake (the previous partition stays) and the command exits with ExitCode.QUALITY (5) naming the check.
// `eventlake quality` reruns the checks over what is already in the lake.
import { existsSync } from 'node:fs';
import type { Engine } from '../core/engine.ts';
import type { CleanedBuildResult, SourceModel } from '../core/model.ts';
import { EventlakeError, ExitCode } from '../core/errors.ts';
import { sqlIdent } from '../engines/duckdb/duckdb-engine.ts';
import { sqlList } from './sql-files.ts';
import type { Context } from '../cli/context.ts';
import { loadModels, getModel } from '../models/registry.ts';
import { listAll } from '../core/storage.ts';
import { partitionOf } from '../lake/layout.ts';
import { localCopies } from './lake-io.ts';
import { withLayerEngine } from './engine.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface CheckResult {
  check: string;
  ok: boolean;
  /** 'error' stops promotion; 'warn' is reported only. */
  level: 'error' | 'warn';
  detail: string;
}

export interface QualityConfig {
  maxQuarantineRatio: number;
  maxOutsideDtRatio: number;
  freshnessMaxHours?: number;
}

export class QualityError extends EventlakeError {
  readonly exitCode = ExitCode.QUALITY;
  constructor(message: string, readonly failures: { scope: string; checks: CheckResult[] }[], next?: string) {
    super(message, { step: 'quality', code: 'QUALITY', next, context: { failures } });
  }
}

const pass = (check: string, detail: string, level: 'error' | 'warn' = 'error'): CheckResult => ({ check, ok: true, level, detail });
const fail = (check: string, detail: string, level: 'error' | 'warn' = 'error'): CheckResult => ({ check, ok: false, level, detail });

export function failed(checks: CheckResult[]): CheckResult[] {
  return checks.filter((c) => !c.ok && c.level === 'error');
}

export function describeFailures(checks: CheckResult[]): string {
  return failed(checks)
    .map((c) => `${c.check}: ${c.detail}`)
    .join('; ');
}

/** Checks on one cleaned partition: the model's counts and the Parquet files of its main table. */
export async function checkCleanedPartition(
  engine: Engine,
  model: SourceModel,
  args: { dt: string; from?: string; to?: string; result: CleanedBuildResult; mainFiles: string[]; cfg: QualityConfig },
): Promise<CheckResult[]> {
  const { dt, result, mainFiles, cfg } = args;
  const main = model.cleanedTables[0]!;
  const out: CheckResult[] = [];
  const rows = result.rows[main] ?? 0;

  const sum = rows + result.quarantined + result.duplicates;
  out.push(
    sum === result.inputRecords && result.duplicates >= 0
      ? pass('row_count_reconciles', `${result.inputRecords} in = ${rows} out + ${result.quarantined} quarantined + ${result.duplicates} duplicates`)
      : fail('row_count_reconciles', `${result.inputRecords} records in but ${rows} out + ${result.quarantined} quarantined + ${result.duplicates} duplicates = ${sum}`),
  );
  out.push(
    (!args.from || dt >= args.from) && (!args.to || dt <= args.to)
      ? pass('dt_within_window', `dt ${dt} within ${args.from ?? '-∞'}..${args.to ?? '+∞'}`)
      : fail('dt_within_window', `dt ${dt} outside the requested window ${args.from ?? '-∞'}..${args.to ?? '+∞'}`),
  );
  const qRatio = result.inputRecords ? result.quarantined / result.inputRecords : 0;
  out.push(
    qRatio <= cfg.maxQuarantineRatio
      ? pass('quarantine_ratio', `${(qRatio * 100).toFixed(2)}% quarantined (max ${(cfg.maxQuarantineRatio * 100).toFixed(0)}%)`)
      : fail('quarantine_ratio', `${result.quarantined} of ${result.inputRecords} records quarantined (${(qRatio * 100).toFixed(1)}% > max ${(cfg.maxQuarantineRatio * 100).toFixed(0)}%, transform.quality.maxQuarantineRatio)`),
  );
  out.push(...(await checkTableFiles(engine, model, dt, mainFiles, rows, cfg)));
  return out;
}

/** Checks on the Parquet files of a main cleaned table for one dt (shared by transform and `eventlake quality`). */
export async function checkTableFiles(engine: Engine, model: SourceModel, dt: string, files: string[], expectedRows: number | undefined, cfg: QualityConfig): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) {
    out.push(expectedRows ? fail('rows_written', `expected ${expectedRows} rows but no Parquet file was written`) : pass('rows_written', 'empty partition'));
    return out;
  }
  const q = model.quality ?? {};
  const src = `read_parquet(${sqlList(present)})`;
  const sel = ['count(*) AS n'];
  if (q.key) sel.push(`count(DISTINCT ${sqlIdent(q.key)}) AS d`);
  const nn = [...new Set([...(q.notNull ?? []), ...(q.key ? [q.key] : [])])];
  if (nn.length) sel.push(`count(*) FILTER (WHERE ${nn.map((c) => `${sqlIdent(c)} IS NULL`).join(' OR ')}) AS nulls`);
  if (q.arrivalTime) sel.push(`count(*) FILTER (WHERE CAST(timezone('UTC', ${sqlIdent(q.arrivalTime)}) AS DATE)::VARCHAR <> '${dt}') AS outside`);
  const [r] = await engine.all<{ n: number; d?: number; nulls?: number; outside?: number }>(`SELECT ${sel.join(', ')} FROM ${src}`);
  const n = Number(r!.n);
  if (expectedRows !== undefined) {
    out.push(n === expectedRows ? pass('rows_written', `${n} rows in Parquet`) : fail('rows_written', `model reported ${expectedRows} rows but the Parquet files hold ${n}`));
  }
  if (q.key) {
    const d = Number(r!.d);
    out.push(d + Number(r!.nulls ?? 0) >= n ? pass('unique_key', `${q.key} unique (${d} distinct)`) : fail('unique_key', `${n - d} duplicate ${q.key} values in dt=${dt}`));
  }
  if (nn.length) {
    const nulls = Number(r!.nulls);
    out.push(nulls === 0 ? pass('non_null_keys', `${nn.join(', ')} never null`) : fail('non_null_keys', `${nulls} rows with NULL in one of ${nn.join(', ')}`));
  }
  if (q.arrivalTime) {
    const outside = Number(r!.outside);
    const ratio = n ? outside / n : 0;
    out.push(
      ratio <= cfg.maxOutsideDtRatio
        ? pass('arrival_within_dt', `${outside} rows with ${q.arrivalTime} outside dt=${dt}`)
        : fail('arrival_within_dt', `${outside} of ${n} rows have ${q.arrivalTime} outside dt=${dt} (max ${(cfg.maxOutsideDtRatio * 100).toFixed(1)}%, transform.quality.maxOutsideDtRatio)`),
    );
  }
  return out;
}

/** Freshness of a source: the newest arrival time in its newest cleaned partition. */
export async function checkFreshness(engine: Engine, model: SourceModel, newestFiles: string[], cfg: QualityConfig, now = new Date()): Promise<CheckResult> {
  const col = model.quality?.arrivalTime;
  const level = cfg.freshnessMaxHours ? 'error' : 'warn';
  if (!col || newestFiles.length === 0) return pass('freshness', 'no arrival column or no data', 'warn');
  const [r] = await engine.all<{ newest: string | null }>(`SELECT max(${sqlIdent(col)})::VARCHAR AS newest FROM read_parquet(${sqlList(newestFiles)})`);
  if (!r?.newest) return fail('freshness', 'no arrival time in the newest partition', level);
  const ageH = (now.getTime() - Date.parse(r.newest.replace(' ', 'T').replace(/\+00(:00)?$/, '') + 'Z')) / 3_600_000;
  const max = cfg.freshnessMaxHours ?? 48;
  const detail = `newest ${col} ${r.newest} is ${ageH.toFixed(1)} h old (max ${max} h${cfg.freshnessMaxHours ? '' : ', warning only: set transform.quality.freshnessMaxHours to enforce'})`;
  return ageH <= max ? pass('freshness', detail, level) : fail('freshness', detail, level);
}

export interface QualityReport {
  source: string;
  partitions: { dt: string; checks: CheckResult[] }[];
  freshness?: CheckResult;
}

/** `eventlake quality [--source]`: reruns the checks over the cleaned partitions already in the lake. */
export async function runQuality(ctx: Context, opts: { source?: string; from?: string; to?: string } = {}): Promise<QualityReport[]> {
  const cfg = ctx.loaded.config.transform.quality;
  const sources = opts.source ? [opts.source] : [...(await loadModels()).keys()].sort();
  const reports: QualityReport[] = [];
  const tmp = mkdtempSync(join(ctx.loaded.tmpDir, 'quality-'));
  try {
    await withLayerEngine(ctx, async (engine) => {
      for (const source of sources) {
        const model = await getModel(source);
        const main = model.cleanedTables[0]!;
        const byDt = new Map<string, string[]>();
        for (const o of await listAll(ctx.storage, ctx.layout.cleanedPrefix(source, main))) {
          const { dt } = partitionOf(o.key);
          if (!dt || !o.key.endsWith('.parquet') || (opts.from && dt < opts.from) || (opts.to && dt > opts.to)) continue;
          byDt.set(dt, [...(byDt.get(dt) ?? []), o.key]);
        }
        const report: QualityReport = { source, partitions: [] };
        const dts = [...byDt.keys()].sort();
        for (const dt of dts) {
          const files = await localCopies(ctx.storage, byDt.get(dt)!, tmp);
          const manifest = await ctx.meta.getManifest<{ result?: CleanedBuildResult }>(source, `cleaned/dt=${dt}`);
          const checks = await checkTableFiles(engine, model, dt, files, manifest?.result?.rows[main], cfg);
          if (manifest?.result) {
            const r = manifest.result;
            const sum = (r.rows[main] ?? 0) + r.quarantined + r.duplicates;
            checks.unshift(sum === r.inputRecords ? pass('row_count_reconciles', `${r.inputRecords} in = ${sum}`) : fail('row_count_reconciles', `manifest: ${r.inputRecords} in but ${sum} accounted for`));
          }
          report.partitions.push({ dt, checks });
        }
        if (dts.length) report.freshness = await checkFreshness(engine, model, await localCopies(ctx.storage, byDt.get(dts[dts.length - 1]!)!, tmp), cfg);
        reports.push(report);
      }
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const failures = reports.flatMap((r) => [
    ...r.partitions.filter((p) => failed(p.checks).length).map((p) => ({ scope: `${r.source} dt=${p.dt}`, checks: failed(p.checks) })),
    ...(r.freshness && failed([r.freshness]).length ? [{ scope: `${r.source} freshness`, checks: [r.freshness] }] : []),
  ]);
  if (failures.length) {
    throw new QualityError(
      `quality checks failed: ${failures.map((f) => `${f.scope}: ${describeFailures(f.checks)}`).join(' | ')}`,
      failures,
      'inspect quarantine/ and _eventlake/manifests/, fix the input, then run `eventlake transform --from <dt> --to <dt>` again',
    );
  }
  return reports;
}
