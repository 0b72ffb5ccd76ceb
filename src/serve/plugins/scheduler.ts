// Scheduler plugin for `eventlake serve`: every pipeline with a `schedule` (croner pattern, 5 or 6 fields, UTC)
// runs the previous complete window when it fires. Overlapping firings of one pipeline are skipped (croner
// `protect`), and the runner's pipeline+window lock also keeps a second server from running the same window.
// GET /api/schedules lists pipelines with their pattern and next run. Disable with `serve --no-scheduler`
// (options.scheduler === false).
import { Cron } from 'croner';
import type { FastifyInstance } from 'fastify';
import type { ServeContext, ServePlugin } from '../plugin.ts';
import { EventlakeError } from '../../core/errors.ts';
import { redact } from '../../core/secrets.ts';
import { createAlerter, type Alerter } from '../../operate/alerts.ts';
import { runPipeline } from '../../pipeline/runner.ts';
import { planPipeline } from '../../pipeline/runner.ts';
import { taskKinds, type TaskKinds } from '../../pipeline/registry.ts';
import { previousWindow } from '../../pipeline/window.ts';
import type { RunRecord } from '../../pipeline/history.ts';

export interface SchedulerOptions {
  /** Task kinds (tests pass their own). */
  kinds?: TaskKinds;
  alerter?: Alerter;
  onRun?: (r: RunRecord | Error) => void;
}

export function createSchedulerPlugin(o: SchedulerOptions = {}): ServePlugin {
  const jobs: Cron[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const stop = new AbortController();
  let alerter: Alerter | undefined;

  return {
    name: 'scheduler',
    async register(app: FastifyInstance, ctx: ServeContext) {
      const scheduled = ctx.loaded.config.operate.pipelines.filter((p) => p.schedule);
      const enabled = ctx.options.scheduler !== false;
      const kinds = o.kinds ?? (await taskKinds());
      alerter = o.alerter ?? (await createAlerter(ctx.loaded.config.operate.alerts, { storage: ctx.storage, layout: ctx.layout, log: ctx.log }));
      for (const p of enabled ? scheduled : []) {
        planPipeline(p, kinds); // a bad pipeline fails at start, not at 3 a.m.
        const job = new Cron(p.schedule!, { timezone: 'UTC', protect: true, name: `pipeline:${p.name}` }, async () => {
          const window = previousWindow(new Date(), p.window);
          const log = ctx.log.child({ pipeline: p.name, window: window.id, trigger: 'schedule' });
          const run = runPipeline(ctx, p, window.id, { trigger: 'schedule', kinds, alerter, signal: stop.signal })
            .then((r) => {
              log.info({ status: r.status, runId: r.runId }, 'scheduled run finished');
              o.onRun?.(r);
            })
            .catch((e: unknown) => {
              const locked = e instanceof EventlakeError && e.code === 'LOCKED';
              log[locked ? 'info' : 'error']({ err: redact((e as Error).message) }, locked ? 'window already running elsewhere, skipped' : 'scheduled run could not start');
              o.onRun?.(e as Error);
            });
          inFlight.add(run);
          await run;
          inFlight.delete(run);
        });
        jobs.push(job);
        ctx.log.info({ pipeline: p.name, schedule: p.schedule, next: job.nextRun()?.toISOString() }, 'pipeline scheduled');
      }
      app.get('/api/schedules', async () => ({
        enabled,
        schedules: scheduled.map((p) => {
          const job = jobs.find((j) => j.name === `pipeline:${p.name}`);
          return { pipeline: p.name, schedule: p.schedule, window: p.window, next: job?.nextRun()?.toISOString() ?? null, running: job?.isBusy() ?? false };
        }),
      }));
    },
    async close() {
      for (const j of jobs) j.stop();
      stop.abort(new EventlakeError('server shutting down', { step: 'scheduler', code: 'CANCELLED' }));
      await Promise.allSettled([...inFlight]);
      alerter?.close();
    },
  };
}

export const plugin = createSchedulerPlugin();
