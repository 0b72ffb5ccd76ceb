// cleaned → aggregated (gold), incremental per dt: the model rebuilds what the given dts touch into a staging folder,
// staged tables are checked, then each staged partition (or whole unpartitioned table) is swapped into
// aggregated/<domain>/<table>/ through the storage contract. Partitions not rebuilt stay as they are.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../cli/context.ts';
import type { ParquetCodec } from '../core/model.ts';
import { EventlakeError } from '../core/errors.ts';
import { listAll } from '../core/storage.ts';
import { getModel, loadModels } from '../models/registry.ts';
import { assertDt, partitionOf } from '../lake/layout.ts';
import { localTree, promoteDir, walkFiles } from './lake-io.ts';
import { withLayerEngine } from './engine.ts';
import { describeFailures, failed, QualityError, type CheckResult } from './quality.ts';
import { sqlList } from './sql-files.ts';

export interface AggregateOptions {
  source?: string;
  from?: string;
  to?: string;
  codec?: ParquetCodec;
}

export interface AggregateSummary {
  source: string;
  dts: string[];
  rows: Record<string, number>;
  /** Keys swapped per table: "table/dt=…" or "table". */
  promoted: string[];
  checks: CheckResult[];
  seconds: number;
}

async function cleanedDts(ctx: Context, source: string, table: string, from?: string, to?: string): Promise<string[]> {
  const dts = new Set<string>();
  for (const o of await listAll(ctx.storage, ctx.layout.cleanedPrefix(source, table))) {
    const { dt } = partitionOf(o.key);
    if (dt && (!from || dt >= from) && (!to || dt <= to)) dts.add(dt);
  }
  return [...dts].sort();
}

export async function runAggregate(ctx: Context, opts: AggregateOptions = {}): Promise<AggregateSummary[]> {
  if (opts.from) assertDt(opts.from);
  if (opts.to) assertDt(opts.to);
  const codec = opts.codec ?? ctx.loaded.config.transform.codec;
  const models = opts.source ? [await getModel(opts.source)] : [...(await loadModels()).values()].sort((a, b) => a.source.localeCompare(b.source));
  const out: AggregateSummary[] = [];
  await withLayerEngine(ctx, async (engine) => {
    for (const model of models) {
      if (!model.buildAggregated) continue;
      const started = Date.now();
      const dts = await cleanedDts(ctx, model.source, model.cleanedTables[0]!, opts.from, opts.to);
      if (dts.length === 0) {
        ctx.log.warn({ source: model.source }, `aggregate: no cleaned partitions for ${model.source} in the window (run eventlake transform first)`);
        continue;
      }
      const work = mkdtempSync(join(ctx.loaded.tmpDir, `aggregate-${model.source}-`));
      try {
        const cleanedRoot = await localTree(ctx.storage, `${ctx.layout.prefixes.cleaned}/${model.source}`, join(work, 'cleaned'));
        const aggregatedRoot = await localTree(ctx.storage, `${ctx.layout.prefixes.aggregated}/${model.source}`, join(work, 'aggregated'));
        const stagingDir = join(work, 'staging');
        mkdirSync(stagingDir, { recursive: true });
        let rows: Record<string, number>;
        try {
          rows = await model.buildAggregated({ engine, dts, cleanedRoot, aggregatedRoot, stagingDir, codec });
        } catch (e) {
          throw new EventlakeError(`building gold for ${model.source} failed: ${(e as Error).message}`, {
            step: `aggregate.${model.source}`,
            cause: e,
            next: `eventlake aggregate --source ${model.source} --from ${dts[0]} --to ${dts[dts.length - 1]}`,
          });
        }
        const checks = await checkStagedGold(engine, stagingDir, rows);
        const summary: AggregateSummary = { source: model.source, dts, rows, promoted: [], checks, seconds: 0 };
        if (failed(checks).length === 0) {
          for (const table of readdirSync(stagingDir).sort()) {
            const tdir = join(stagingDir, table);
            if (!statSync(tdir).isDirectory()) continue;
            const parts = readdirSync(tdir).filter((d) => d.startsWith('dt=') && statSync(join(tdir, d)).isDirectory());
            if (parts.length) {
              for (const p of parts.sort()) {
                await promoteDir(ctx.storage, join(tdir, p), `${ctx.layout.prefixes.aggregated}/${model.source}/${table}/${p}/`);
                summary.promoted.push(`${table}/${p}`);
              }
            } else {
              await promoteDir(ctx.storage, tdir, ctx.layout.aggregatedPrefix(model.source, table));
              summary.promoted.push(table);
            }
          }
        }
        summary.seconds = (Date.now() - started) / 1000;
        await ctx.meta.putManifest(model.source, `aggregated/${dts[0]}..${dts[dts.length - 1]}`, { ...summary, codec, at: new Date().toISOString() });
        out.push(summary);
        ctx.log.info({ source: model.source, dts: dts.length, rows, promoted: summary.promoted.length }, `aggregate ${model.source}: ${failed(checks).length ? 'quality failed' : 'promoted'}`);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
  });
  const bad = out.filter((s) => failed(s.checks).length);
  if (bad.length) {
    throw new QualityError(
      `gold quality checks failed, not promoted: ${bad.map((s) => `${s.source}: ${describeFailures(s.checks)}`).join(' | ')}`,
      bad.map((s) => ({ scope: `${s.source} gold`, checks: failed(s.checks) })),
      'eventlake quality',
    );
  }
  return out;
}

/** Gold checks: every staged table is readable Parquet and holds the rows the model reported. */
async function checkStagedGold(engine: import('../core/engine.ts').Engine, stagingDir: string, rows: Record<string, number>): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  for (const [table, n] of Object.entries(rows)) {
    const files = walkFiles(join(stagingDir, table)).filter((f) => f.endsWith('.parquet'));
    if (!existsSync(join(stagingDir, table)) || files.length === 0) {
      checks.push(n === 0 ? { check: `${table}.rows_written`, ok: true, level: 'error', detail: 'nothing to rebuild' } : { check: `${table}.rows_written`, ok: false, level: 'error', detail: `model reported ${n} rows but staged no file` });
      continue;
    }
    const [r] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlList(files)})`);
    const got = Number(r!.n);
    checks.push(got === n ? { check: `${table}.rows_written`, ok: true, level: 'error', detail: `${got} rows` } : { check: `${table}.rows_written`, ok: false, level: 'error', detail: `model reported ${n} rows, staged files hold ${got}` });
  }
  return checks;
}
