// The task contract: what a pipeline step runs.
//
// A pipeline (config `operate.pipelines[]`) is a DAG of steps; each step names a task KIND. Kinds are discovered
// from src/pipeline/tasks/*.ts: every file there exports `task: TaskKind` (file name = kind name by convention,
// e.g. tasks/extract-amplitude.ts exports { kind: 'extract-amplitude', ... }). Adding a stage to the platform is
// adding one file; the runner, schedules, backfills, retries, locks and run history come for free.
//
// Rules for a task:
// - Idempotent per window: running it twice for the same window replaces its outputs (same keys), never duplicates.
//   The runner retries failed attempts and reruns failed runs, so a half-done attempt must be safe to redo.
// - Honour `signal`: it fires on timeout or shutdown; stop promptly (abort HTTP calls, interrupt queries).
// - Throw EventlakeError with `retryable: true` for transient failures (HTTP 429/5xx, timeouts, locks); anything else
//   fails the step at once. The runner adds the rerun command (`next`) when the error has none.
// - Validate `params` with the optional zod schema: it is checked before the run starts, so a typo fails fast.
// - Return counts (rows, bytes) when known: they go to run history and Prometheus metrics.
import type { z } from 'zod';
import type { Context } from '../cli/context.ts';
import type { Logger } from '../core/log.ts';

/** The time slice a run covers. `id` is "YYYY-MM-DD" (day) or "YYYY-MM-DDTHH" (hour), UTC. */
export interface RunWindow {
  id: string;
  granularity: 'day' | 'hour';
  /** Inclusive start and exclusive end instants. */
  start: Date;
  end: Date;
  /** The day (YYYY-MM-DD) the window falls in: the dt partition most tasks write. */
  dt: string;
  /** First and last hour ("YYYY-MM-DDTHH", both inclusive) — the form the extract commands take. */
  firstHour: string;
  lastHour: string;
}

export interface TaskContext<P = Record<string, unknown>> {
  /** Config, storage, layout, meta store: the same Context CLI commands get. */
  app: Context;
  window: RunWindow;
  params: P;
  pipeline: string;
  step: string;
  runId: string;
  /** 1-based attempt number. */
  attempt: number;
  signal: AbortSignal;
  log: Logger;
}

export interface TaskResult {
  rows?: number;
  bytes?: number;
  /** Small JSON-able facts shown by `eventlake runs` (no secrets). */
  detail?: Record<string, unknown>;
}

export interface TaskKind<P = Record<string, unknown>> {
  kind: string;
  description: string;
  params?: z.ZodType<P>;
  run(ctx: TaskContext<P>): Promise<TaskResult | void>;
}

/** Helper so task files get their params type inferred from the schema. */
export function defineTask<S extends z.ZodType>(t: {
  kind: string;
  description: string;
  params: S;
  run(ctx: TaskContext<z.infer<S>>): Promise<TaskResult | void>;
}): TaskKind<z.infer<S>> {
  return t as TaskKind<z.infer<S>>;
}
