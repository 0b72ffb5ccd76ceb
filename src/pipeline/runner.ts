// The embedded runner: one pipeline, one window. Takes the pipeline+window lock, resumes a failed run (steps that
// succeeded for this window are kept), runs steps in dependency order (independent steps in parallel), retries
// retryable failures with backoff, enforces per-attempt timeouts, records everything in run history, and alerts on
// failure and on recovery.
import { hostname } from 'node:os';
import { EventlakeError, asEventlakeError } from '../core/errors.ts';
import { backoffMs, sleep as realSleep } from '../core/retry.ts';
import { redact } from '../core/secrets.ts';
import type { Context } from '../cli/context.ts';
import type { PipelineConfig, StepConfig } from '../config/sections/operate.ts';
import type { Alerter } from '../operate/alerts.ts';
import { lastSuccess, runsTotal, stepBytes, stepDuration, stepFailures, stepRows } from '../operate/metrics.ts';
import { dependentsOf, topoOrder } from './dag.ts';
import { RunHistory, newRunId, type RunRecord, type StepRecord } from './history.ts';
import { acquireLock } from './lock.ts';
import { taskKinds, type TaskKinds } from './registry.ts';
import type { RunWindow, TaskKind } from './task.ts';
import { parseWindow } from './window.ts';

export interface RunOptions {
  trigger?: RunRecord['trigger'];
  /** Task kinds to use (default: discovered from src/pipeline/tasks). */
  kinds?: TaskKinds;
  alerter?: Alerter;
  /** Rerun every step even when a failed earlier run of this window completed some. */
  force?: boolean;
  /** Aborts the run (shutdown). */
  signal?: AbortSignal;
  /** Injected for tests (retry backoff waits). */
  sleep?: (ms: number) => Promise<void>;
}

export function findPipeline(app: Context, name: string): PipelineConfig {
  const all = app.loaded.config.operate.pipelines;
  const p = all.find((x) => x.name === name);
  if (!p) {
    throw new EventlakeError(`no pipeline named ${JSON.stringify(name)}${all.length ? ` (configured: ${all.map((x) => x.name).join(', ')})` : ' (none configured)'}`, {
      step: 'pipeline',
      code: 'USAGE',
      next: 'add it under operate.pipelines in eventlake.config.yaml, or run: eventlake runs',
    });
  }
  return p;
}

export function rerunCommand(pipeline: string, window: string): string {
  return `eventlake run ${pipeline} --window ${window}`;
}

/** Validates a pipeline against the known task kinds and step params; returns steps in execution order. */
export function planPipeline(p: PipelineConfig, kinds: TaskKinds): StepConfig[] {
  const order = topoOrder(p.name, p.steps);
  for (const s of order) {
    const k = kinds.get(s.kind);
    if (!k) {
      throw new EventlakeError(`pipeline ${p.name} step ${s.id}: unknown task kind ${JSON.stringify(s.kind)} (known: ${[...kinds.keys()].sort().join(', ') || 'none'})`, {
        step: 'config',
        code: 'CONFIG',
        next: 'fix the step kind in operate.pipelines, or add src/pipeline/tasks/<kind>.ts',
      });
    }
    if (k.params) {
      const r = k.params.safeParse(s.params);
      if (!r.success) {
        const msg = r.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
        throw new EventlakeError(`pipeline ${p.name} step ${s.id} (${s.kind}) has invalid params: ${msg}`, { step: 'config', code: 'CONFIG', next: 'fix operate.pipelines[].steps[].params' });
      }
    }
  }
  return order;
}

function timeoutError(p: string, s: StepConfig): EventlakeError {
  return new EventlakeError(`step ${s.id} timed out after ${s.timeoutMs} ms`, { step: `pipeline.${p}.${s.id}`, code: 'TIMEOUT', retryable: true });
}

async function runAttempt(
  task: TaskKind<any>,
  s: StepConfig,
  base: { app: Context; window: RunWindow; pipeline: string; runId: string; attempt: number; outer?: AbortSignal },
) {
  const ac = new AbortController();
  const onOuter = () => ac.abort(base.outer?.reason);
  base.outer?.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = timeoutError(base.pipeline, s);
      ac.abort(err);
      reject(err);
    }, s.timeoutMs);
  });
  const params = task.params ? task.params.parse(s.params) : s.params;
  const log = base.app.log.child({ pipeline: base.pipeline, runId: base.runId, step: s.id, window: base.window.id, attempt: base.attempt });
  try {
    return await Promise.race([
      task.run({ app: base.app, window: base.window, params, pipeline: base.pipeline, step: s.id, runId: base.runId, attempt: base.attempt, signal: ac.signal, log }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    base.outer?.removeEventListener('abort', onOuter);
  }
}

export async function runPipeline(app: Context, pipelineOrName: PipelineConfig | string, windowId: string, o: RunOptions = {}): Promise<RunRecord> {
  const p = typeof pipelineOrName === 'string' ? findPipeline(app, pipelineOrName) : pipelineOrName;
  const kinds = o.kinds ?? (await taskKinds());
  const order = planPipeline(p, kinds);
  const window = parseWindow(windowId, p.window);
  const history = new RunHistory(app.storage, app.layout);
  const runId = newRunId();
  const doSleep = o.sleep ?? realSleep;
  const log = app.log.child({ pipeline: p.name, window: window.id, runId });

  const lock = await acquireLock(app.storage, app.layout, { pipeline: p.name, window: window.id, runId, ttlMs: app.loaded.config.operate.lockTtlMs });
  try {
    // Whatever was "running" for this window is dead now that we hold the lock: mark it abandoned.
    const earlier = await history.forWindow(p.name, window.id);
    for (const r of earlier) {
      if (r.status === 'running') {
        r.status = 'abandoned';
        r.finishedAt = new Date().toISOString();
        r.error ??= { step: r.steps.find((x) => x.status === 'running')?.id ?? '(unknown)', message: 'the run was interrupted (process killed or lost)', retryable: true, next: rerunCommand(p.name, window.id) };
        await history.save(r);
      }
    }
    const prev = earlier[0];
    const resumable = !o.force && prev && prev.status !== 'succeeded' ? prev : undefined;

    const rec: RunRecord = {
      runId,
      pipeline: p.name,
      window: window.id,
      status: 'running',
      trigger: o.trigger ?? 'manual',
      startedAt: new Date().toISOString(),
      host: hostname(),
      pid: process.pid,
      resumedFrom: resumable?.runId,
      steps: order.map((s) => {
        const old = resumable?.steps.find((x) => x.id === s.id && x.kind === s.kind && (x.status === 'succeeded' || x.status === 'reused'));
        return old
          ? { ...old, status: 'reused', attempts: [], fromRun: old.fromRun ?? resumable!.runId }
          : { id: s.id, kind: s.kind, status: 'pending', attempts: [] };
      }),
    };
    await history.save(rec);
    log.info({ resumedFrom: rec.resumedFrom, reused: rec.steps.filter((s) => s.status === 'reused').map((s) => s.id) }, 'run started');

    const stepRec = (id: string) => rec.steps.find((x) => x.id === id)!;
    const done = (id: string) => ['succeeded', 'reused'].includes(stepRec(id).status);
    let firstError: { step: string; err: EventlakeError } | undefined;
    // Saving is serialised: parallel steps update the same record.
    let saving = Promise.resolve();
    const save = () => (saving = saving.then(() => history.save(rec)).catch(() => undefined));

    const runStep = async (s: StepConfig): Promise<void> => {
      const sr: StepRecord = stepRec(s.id);
      const task = kinds.get(s.kind)!;
      sr.status = 'running';
      sr.startedAt = new Date().toISOString();
      await save();
      const t0 = Date.now();
      for (let attempt = 1; ; attempt++) {
        const a0 = Date.now();
        try {
          if (o.signal?.aborted) throw new EventlakeError('run cancelled', { step: `pipeline.${p.name}.${s.id}`, code: 'CANCELLED' });
          const res = await runAttempt(task, s, { app, window, pipeline: p.name, runId, attempt, outer: o.signal });
          const ms = Date.now() - a0;
          sr.attempts.push({ attempt, startedAt: new Date(a0).toISOString(), durationMs: ms, ok: true });
          stepDuration.observe({ pipeline: p.name, step: s.id, kind: s.kind, outcome: 'ok' }, ms / 1000);
          if (res) {
            sr.rows = res.rows;
            sr.bytes = res.bytes;
            sr.detail = res.detail;
            if (res.rows) stepRows.inc({ pipeline: p.name, step: s.id }, res.rows);
            if (res.bytes) stepBytes.inc({ pipeline: p.name, step: s.id }, res.bytes);
          }
          sr.status = 'succeeded';
          break;
        } catch (e) {
          const err = asEventlakeError(e, `pipeline.${p.name}.${s.id}`);
          const ms = Date.now() - a0;
          sr.attempts.push({ attempt, startedAt: new Date(a0).toISOString(), durationMs: ms, ok: false, error: redact(err.message), retryable: err.retryable });
          stepDuration.observe({ pipeline: p.name, step: s.id, kind: s.kind, outcome: 'error' }, ms / 1000);
          stepFailures.inc({ pipeline: p.name, step: s.id, kind: s.kind, retryable: String(err.retryable) });
          if (err.retryable && attempt < s.retry.attempts && !o.signal?.aborted) {
            const wait = backoffMs(attempt, s.retry.baseMs, s.retry.maxMs);
            log.warn({ step: s.id, attempt, waitMs: wait, err: redact(err.message) }, 'step failed, retrying');
            await save();
            await doSleep(wait);
            continue;
          }
          sr.status = 'failed';
          firstError ??= { step: s.id, err };
          log.error({ step: s.id, attempts: attempt, err: redact(err.message) }, 'step failed');
          break;
        }
      }
      sr.finishedAt = new Date().toISOString();
      sr.durationMs = Date.now() - t0;
      await save();
    };

    // DAG execution: start every step whose dependencies are done; a failed step skips its dependents only.
    const pending = new Set(order.filter((s) => !done(s.id)).map((s) => s.id));
    const running = new Map<string, Promise<void>>();
    while (pending.size || running.size) {
      for (const id of [...pending]) {
        const s = order.find((x) => x.id === id)!;
        const deps = s.dependsOn.map(stepRec);
        if (deps.some((d) => d.status === 'failed' || d.status === 'skipped')) {
          pending.delete(id);
          stepRec(id).status = 'skipped';
          continue;
        }
        if (deps.every((d) => done(d.id))) {
          pending.delete(id);
          running.set(id, runStep(s).finally(() => running.delete(id)));
        }
      }
      if (running.size) await Promise.race(running.values());
      else if (pending.size) break; // unreachable with a valid DAG; guards against a spin
    }
    await saving;

    rec.finishedAt = new Date().toISOString();
    rec.durationMs = Date.parse(rec.finishedAt) - Date.parse(rec.startedAt);
    if (firstError) {
      const skipped = dependentsOf(order, firstError.step);
      rec.status = 'failed';
      rec.error = {
        step: firstError.step,
        message: redact(firstError.err.message),
        code: firstError.err.code,
        retryable: firstError.err.retryable,
        next: rerunCommand(p.name, window.id) + (skipped.size ? `  (resumes at ${firstError.step}; skipped: ${[...skipped].join(', ')})` : ''),
      };
    } else {
      rec.status = 'succeeded';
      lastSuccess.set({ pipeline: p.name }, window.end.getTime() / 1000);
    }
    runsTotal.inc({ pipeline: p.name, status: rec.status });
    await history.save(rec);
    log.info({ status: rec.status, durationMs: rec.durationMs }, 'run finished');
    await notify(rec, history, o.alerter);
    return rec;
  } finally {
    await lock.release();
  }
}

async function notify(rec: RunRecord, history: RunHistory, alerter?: Alerter): Promise<void> {
  if (!alerter?.enabled) return;
  // A run stopped on purpose (server shutdown) is not an incident; the next run resumes it.
  if (rec.error?.code === 'CANCELLED') return;
  if (rec.status === 'failed' && rec.error) {
    const failedStep = rec.steps.find((s) => s.id === rec.error!.step);
    await alerter.send({
      // A failed data-quality gate (error code QUALITY) is its own alert kind: the data is wrong, not the job.
      kind: rec.error.code === 'QUALITY' ? 'quality' : 'failure',
      subject: `pipeline ${rec.pipeline} window ${rec.window} failed at step ${rec.error.step}`,
      text: rec.error.message,
      fields: { run: rec.runId, attempts: failedStep?.attempts.length, retryable: String(rec.error.retryable), next: rec.error.next },
    });
    return;
  }
  if (rec.status === 'succeeded') {
    // Recovery: this window (or, failing that, the pipeline's last finished run) had failed before.
    const sameWindow = (await history.forWindow(rec.pipeline, rec.window)).find((r) => r.runId < rec.runId);
    const prev = sameWindow ?? (await history.previousFinished(rec.pipeline, rec.runId));
    if (prev && (prev.status === 'failed' || prev.status === 'abandoned')) {
      await alerter.send({
        kind: 'recovery',
        subject: `pipeline ${rec.pipeline} window ${rec.window} recovered`,
        text: `run ${rec.runId} succeeded after ${prev.status} run ${prev.runId}`,
        fields: { durationMs: rec.durationMs },
      });
    }
  }
}
