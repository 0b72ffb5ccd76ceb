// raw → cleaned, one dt at a time: stage locally, let the source model build its tables, check quality, then swap
// the partition into cleaned/<source>/<table>/dt=…/ (a rerun replaces it), upload rejected records to
// quarantine/<source>/dt=…/transform.ndjson.gz and record a manifest under _eventlake/manifests/<source>/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../cli/context.ts';
import type { CleanedBuildResult, ParquetCodec } from '../core/model.ts';
import { EventlakeError } from '../core/errors.ts';
import { progress } from '../core/progress.ts';
import { getModel, loadModels } from '../models/registry.ts';
import { assertDt } from '../lake/layout.ts';
import { localCopies, promoteDir, putGzipOrDelete, rawKeysByDt, walkFiles } from './lake-io.ts';
import { withLayerEngine } from './engine.ts';
import { checkCleanedPartition, describeFailures, failed, QualityError, type CheckResult } from './quality.ts';

export interface TransformOptions {
  source?: string;
  from?: string;
  to?: string;
  codec?: ParquetCodec;
}

export interface PartitionSummary {
  source: string;
  dt: string;
  rawFiles: number;
  status: 'promoted' | 'quality_failed';
  result: CleanedBuildResult;
  checks: CheckResult[];
  quarantineKey?: string;
  seconds: number;
}

/** The batch name of the transform's quarantine object: fixed so a rerun replaces it. */
export const QUARANTINE_BATCH = 'transform';

async function sourcesWithRaw(ctx: Context, only?: string): Promise<string[]> {
  if (only) {
    await getModel(only); // unknown source → clear usage error
    return [only];
  }
  const out: string[] = [];
  for (const s of [...(await loadModels()).keys()].sort()) {
    for await (const _ of ctx.storage.list(ctx.layout.rawPrefix(s))) {
      out.push(s);
      break;
    }
  }
  return out;
}

export async function runTransform(ctx: Context, opts: TransformOptions = {}): Promise<PartitionSummary[]> {
  if (opts.from) assertDt(opts.from);
  if (opts.to) assertDt(opts.to);
  const codec = opts.codec ?? ctx.loaded.config.transform.codec;
  const qcfg = ctx.loaded.config.transform.quality;
  const summaries: PartitionSummary[] = [];
  const sources = await sourcesWithRaw(ctx, opts.source);
  mkdirSync(ctx.loaded.tmpDir, { recursive: true });

  await withLayerEngine(ctx, async (engine) => {
    for (const source of sources) {
      const model = await getModel(source);
      const byDt = await rawKeysByDt(ctx.storage, ctx.layout.rawPrefix(source), opts.from, opts.to);
      if (byDt.size === 0) {
        ctx.log.warn({ source, from: opts.from, to: opts.to }, `transform: no raw files for ${source} in the window`);
        continue;
      }
      const prog = progress(`transform ${source}`, byDt.size);
      for (const [dt, keys] of byDt) {
        const started = Date.now();
        const work = mkdtempSync(join(ctx.loaded.tmpDir, `transform-${source}-${dt}-`));
        try {
          const rawFiles = await localCopies(ctx.storage, keys, join(work, 'raw'));
          const stagingDir = join(work, 'staging');
          mkdirSync(stagingDir, { recursive: true });
          const quarantineFile = join(work, 'quarantine.ndjson');
          let result: CleanedBuildResult;
          try {
            result = await model.buildCleaned({ engine, dt, rawFiles, stagingDir, codec, quarantineFile });
          } catch (e) {
            throw new EventlakeError(`building cleaned ${source} dt=${dt} failed: ${(e as Error).message}`, {
              step: `transform.${source}`,
              cause: e,
              context: { dt, rawFiles: keys.length },
              next: `eventlake transform --source ${source} --from ${dt} --to ${dt}`,
            });
          }
          const main = model.cleanedTables[0]!;
          const mainFiles = walkFiles(join(stagingDir, main)).filter((f) => f.endsWith('.parquet'));
          const checks = await checkCleanedPartition(engine, model, { dt, from: opts.from, to: opts.to, result, mainFiles, cfg: qcfg });
          const ok = failed(checks).length === 0;

          // Rejected records are uploaded either way: they explain a failed check.
          const quarantineKey = ctx.layout.quarantineKey(source, dt, QUARANTINE_BATCH);
          const hasQuarantine = await putGzipOrDelete(ctx.storage, quarantineFile, quarantineKey, work);
          if (ok) {
            for (const table of model.cleanedTables) await promoteDir(ctx.storage, join(stagingDir, table), ctx.layout.cleanedPrefix(source, table, dt));
          }
          const summary: PartitionSummary = {
            source,
            dt,
            rawFiles: keys.length,
            status: ok ? 'promoted' : 'quality_failed',
            result,
            checks,
            quarantineKey: hasQuarantine ? quarantineKey : undefined,
            seconds: (Date.now() - started) / 1000,
          };
          await ctx.meta.putManifest(source, `cleaned/dt=${dt}`, { ...summary, codec, rawKeys: keys, at: new Date().toISOString() });
          summaries.push(summary);
          ctx.log.info(
            { source, dt, in: result.inputRecords, rows: result.rows, quarantined: result.quarantined, duplicates: result.duplicates, status: summary.status },
            `transform ${source} dt=${dt}: ${summary.status}`,
          );
          if (!ok) ctx.log.error({ source, dt }, `quality failed for ${source} dt=${dt}: ${describeFailures(checks)} (partition not promoted)`);
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
        prog.add(1);
      }
      prog.done();
    }
  });

  const bad = summaries.filter((s) => s.status === 'quality_failed');
  if (bad.length) {
    throw new QualityError(
      `quality checks failed, not promoted: ${bad.map((s) => `${s.source} dt=${s.dt}: ${describeFailures(s.checks)}`).join(' | ')}`,
      bad.map((s) => ({ scope: `${s.source} dt=${s.dt}`, checks: failed(s.checks) })),
      `inspect ${ctx.layout.quarantinePrefix(bad[0]!.source, bad[0]!.dt)} and fix the input, then rerun eventlake transform --source ${bad[0]!.source} --from ${bad[0]!.dt} --to ${bad[0]!.dt}`,
    );
  }
  return summaries;
}
