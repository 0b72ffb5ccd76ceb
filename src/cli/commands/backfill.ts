import type { Registrar } from '../program.ts';
import { EventlakeError, ExitCode } from '../../core/errors.ts';
import { createAlerter } from '../../operate/alerts.ts';
import { assertRange, backfill } from '../../pipeline/backfill.ts';
import { progress } from '../../core/progress.ts';
import { windowsBetween } from '../../pipeline/window.ts';
import { findPipeline } from '../../pipeline/runner.ts';
import { AuditLog } from '../../audit/audit-log.ts';
import { userInfo } from 'node:os';

export function register(reg: Registrar): void {
  reg.program
    .command('backfill')
    .argument('<pipeline>', 'pipeline name from operate.pipelines')
    .summary('run a pipeline over a range of windows, resumable')
    .description(
      'run a pipeline for every window in a range (both ends inclusive), a few windows at a time.\n' +
        'Resumable: windows that already succeeded are skipped and failed ones resume at the failed step, so the same\n' +
        'command can simply be run again. Exit code 4 when some windows failed (the others are done).',
    )
    .requiredOption('--from <id>', 'first window: YYYY-MM-DD (or YYYY-MM-DDTHH for hour pipelines)')
    .requiredOption('--to <id>', 'last window, inclusive')
    .option('--concurrency <n>', 'windows at once (default: the pipeline backfillConcurrency)', (v) => Number.parseInt(v, 10))
    .option('--force', 'rerun windows that already succeeded')
    .option('--json', 'print the summary as JSON')
    .action(async (name: string, o: { from?: string; to?: string; concurrency?: number; force?: boolean; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const range = assertRange(o.from, o.to);
      if (o.concurrency !== undefined && !(o.concurrency >= 1)) throw new EventlakeError('--concurrency must be a positive integer', { step: 'pipeline', code: 'USAGE' });
      const total = windowsBetween(range.from, range.to, findPipeline(ctx, name).window).length;
      const bar = progress(`backfill ${name}`, total);
      const alerter = await createAlerter(ctx.loaded.config.operate.alerts, { storage: ctx.storage, layout: ctx.layout, log: ctx.log });
      try {
        const r = await backfill(ctx, name, range, { concurrency: o.concurrency, force: o.force, alerter, onWindow: () => bar.add(1) });
        await new AuditLog(ctx.storage, ctx.layout).append({
          actor: `cli:${userInfo().username}`,
          action: 'pipeline.backfill',
          target: `${name}/${range.from}..${range.to}`,
          outcome: r.failed.length ? 'error' : 'ok',
          detail: { succeeded: r.succeeded.length, skipped: r.skipped.length, failed: r.failed.map((f) => f.window), force: Boolean(o.force) },
        });
        bar.done(`${r.succeeded.length} succeeded, ${r.skipped.length} skipped, ${r.failed.length} failed`);
        if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        else {
          process.stdout.write(`backfill ${name} ${range.from}..${range.to}: ${r.windows} windows, ${r.succeeded.length} succeeded, ${r.skipped.length} already done, ${r.failed.length} failed\n`);
          for (const f of r.failed) process.stdout.write(`  FAILED ${f.window}${f.step ? ` at ${f.step}` : ''}: ${f.message}\n`);
        }
        if (r.failed.length) {
          throw Object.assign(new EventlakeError(`${r.failed.length} of ${r.windows} windows failed`, { step: `pipeline.${name}`, next: r.next }), { exitCode: ExitCode.PARTIAL });
        }
      } finally {
        alerter.close();
      }
    });
}
