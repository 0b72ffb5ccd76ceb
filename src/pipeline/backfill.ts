// Backfill: every window of a date range through the runner, a few at a time. Resumable: windows whose latest
// run succeeded are skipped (unless forced), failed ones resume at the failed step. One window failing does not stop
// the others; the summary lists what to rerun.
import type { Context } from '../cli/context.ts';
import { EventlakeError } from '../core/errors.ts';
import { mapLimit } from '../core/retry.ts';
import { RunHistory, type RunRecord } from './history.ts';
import { findPipeline, runPipeline, type RunOptions } from './runner.ts';
import { taskKinds } from './registry.ts';
import { windowsBetween } from './window.ts';

export interface BackfillResult {
  pipeline: string;
  windows: number;
  succeeded: string[];
  skipped: string[];
  failed: { window: string; step?: string; message: string }[];
  next?: string;
}

export async function backfill(
  app: Context,
  pipeline: string,
  range: { from: string; to: string },
  o: RunOptions & { concurrency?: number; onWindow?: (w: string, r: RunRecord | 'skipped' | Error) => void } = {},
): Promise<BackfillResult> {
  const p = findPipeline(app, pipeline);
  const kinds = o.kinds ?? (await taskKinds());
  const windows = windowsBetween(range.from, range.to, p.window);
  const history = new RunHistory(app.storage, app.layout);
  const res: BackfillResult = { pipeline, windows: windows.length, succeeded: [], skipped: [], failed: [] };
  await mapLimit(windows, o.concurrency ?? p.backfillConcurrency, async (w) => {
    if (!o.force && (await history.latest(p.name, w.id))?.status === 'succeeded') {
      res.skipped.push(w.id);
      o.onWindow?.(w.id, 'skipped');
      return;
    }
    try {
      const r = await runPipeline(app, p, w.id, { ...o, kinds, trigger: 'backfill' });
      if (r.status === 'succeeded') res.succeeded.push(w.id);
      else res.failed.push({ window: w.id, step: r.error?.step, message: r.error?.message ?? r.status });
      o.onWindow?.(w.id, r);
    } catch (e) {
      // Lock held by another run, invalid config: record and go on with the other windows.
      res.failed.push({ window: w.id, message: e instanceof Error ? e.message : String(e) });
      o.onWindow?.(w.id, e as Error);
    }
  });
  for (const k of ['succeeded', 'skipped'] as const) res[k].sort();
  res.failed.sort((a, b) => a.window.localeCompare(b.window));
  if (res.failed.length) res.next = `eventlake backfill ${pipeline} --from ${range.from} --to ${range.to}   (completed windows are skipped, failed ones resume)`;
  return res;
}

export function assertRange(from?: string, to?: string): { from: string; to: string } {
  if (!from || !to) throw new EventlakeError('backfill needs --from and --to', { step: 'pipeline', code: 'USAGE' });
  return { from, to };
}
