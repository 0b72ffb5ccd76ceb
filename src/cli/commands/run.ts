import type { Registrar } from '../program.ts';
import { EventlakeError, ExitCode } from '../../core/errors.ts';
import { createAlerter } from '../../operate/alerts.ts';
import { findPipeline, runPipeline } from '../../pipeline/runner.ts';
import { previousWindow } from '../../pipeline/window.ts';
import { formatRun } from './runs.ts';
import { AuditLog } from '../../audit/audit-log.ts';
import { userInfo } from 'node:os';

export function register(reg: Registrar): void {
  reg.program
    .command('run')
    .argument('<pipeline>', 'pipeline name from operate.pipelines')
    .summary('run one window of a pipeline (resumes a failed run of that window)')
    .description(
      'run one window of a pipeline now: steps in dependency order with retries and timeouts, under a lock so the same\n' +
        'window never runs twice at once. A rerun of a failed window resumes at the failed step (completed steps are kept);\n' +
        'the run is recorded under _eventlake/runs/ (see `eventlake runs`). Exit code 1 when the run failed.',
    )
    .option('-w, --window <id>', 'window to run: YYYY-MM-DD (day pipelines) or YYYY-MM-DDTHH (hour pipelines); default: the previous complete window')
    .option('--force', 'rerun every step, even those a failed earlier run of this window completed')
    .option('--json', 'print the run record as JSON')
    .action(async (name: string, o: { window?: string; force?: boolean; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const p = findPipeline(ctx, name);
      const window = o.window ?? previousWindow(new Date(), p.window).id;
      const alerter = await createAlerter(ctx.loaded.config.operate.alerts, { storage: ctx.storage, layout: ctx.layout, log: ctx.log });
      try {
        const r = await runPipeline(ctx, p, window, { force: o.force, alerter, trigger: 'manual' });
        await new AuditLog(ctx.storage, ctx.layout).append({
          actor: `cli:${userInfo().username}`,
          action: 'pipeline.run',
          target: `${name}/${window}`,
          outcome: r.status === 'succeeded' ? 'ok' : 'error',
          detail: { runId: r.runId, force: Boolean(o.force), failedStep: r.error?.step },
        });
        process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : formatRun(r, true) + '\n');
        if (r.status !== 'succeeded') {
          const e = new EventlakeError(`pipeline ${name} window ${window} failed at step ${r.error?.step}: ${r.error?.message}`, { step: `pipeline.${name}`, next: r.error?.next, retryable: r.error?.retryable });
          throw Object.assign(e, { exitCode: ExitCode.FAILURE });
        }
      } finally {
        alerter.close();
      }
    });
}
