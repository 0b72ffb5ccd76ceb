// Run history on the lake: one JSON object per run under _eventlake/runs/<pipeline>/<window>/<runId>.json,
// rewritten as the run progresses so a killed run still shows how far it got.
import { randomBytes } from 'node:crypto';
import { getJson, listAll, putJson, type Storage } from '../core/storage.ts';
import type { LakeLayout } from '../lake/layout.ts';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'abandoned';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'reused';

export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  error?: string;
  retryable?: boolean;
}

export interface StepRecord {
  id: string;
  kind: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  attempts: AttemptRecord[];
  rows?: number;
  bytes?: number;
  detail?: Record<string, unknown>;
  /** For status "reused": the run whose result was kept. */
  fromRun?: string;
}

export interface RunError {
  step: string;
  message: string;
  code?: string;
  retryable: boolean;
  next: string;
}

export interface RunRecord {
  runId: string;
  pipeline: string;
  window: string;
  status: RunStatus;
  trigger: 'manual' | 'schedule' | 'backfill';
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  host: string;
  pid: number;
  /** The earlier run this one resumed from. */
  resumedFrom?: string;
  steps: StepRecord[];
  error?: RunError;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.=-]+/g, '_');

/** Sortable, unique: 20261130T081500123Z-ab12cd */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

export class RunHistory {
  constructor(readonly storage: Storage, readonly layout: LakeLayout) {}

  key(pipeline: string, window: string, runId: string): string {
    return this.layout.metaKey('runs', safe(pipeline), safe(window), `${runId}.json`);
  }

  async save(r: RunRecord): Promise<void> {
    await putJson(this.storage, this.key(r.pipeline, r.window, r.runId), r);
  }

  /** Runs of one pipeline window, newest first. */
  async forWindow(pipeline: string, window: string): Promise<RunRecord[]> {
    const objs = await listAll(this.storage, this.layout.metaKey('runs', safe(pipeline), safe(window)) + '/');
    const runs: RunRecord[] = [];
    for (const o of objs) {
      const r = await getJson<RunRecord>(this.storage, o.key);
      if (r) runs.push(r);
    }
    return runs.sort((a, b) => b.runId.localeCompare(a.runId));
  }

  async latest(pipeline: string, window: string): Promise<RunRecord | undefined> {
    return (await this.forWindow(pipeline, window))[0];
  }

  /** Newest runs first, across windows (optionally one pipeline). */
  async list(o: { pipeline?: string; limit?: number } = {}): Promise<RunRecord[]> {
    const prefix = o.pipeline ? this.layout.metaKey('runs', safe(o.pipeline)) + '/' : this.layout.metaKey('runs') + '/';
    const objs = await listAll(this.storage, prefix);
    const ids = objs
      .map((x) => ({ key: x.key, id: x.key.slice(x.key.lastIndexOf('/') + 1, -'.json'.length) }))
      .sort((a, b) => b.id.localeCompare(a.id))
      .slice(0, o.limit ?? 20);
    const out: RunRecord[] = [];
    for (const x of ids) {
      const r = await getJson<RunRecord>(this.storage, x.key);
      if (r) out.push(r);
    }
    return out;
  }

  /** The latest finished run of a pipeline before `runId` (for recovery alerts). */
  async previousFinished(pipeline: string, beforeRunId: string): Promise<RunRecord | undefined> {
    const runs = await this.list({ pipeline, limit: 50 });
    return runs.find((r) => r.runId < beforeRunId && r.status !== 'running');
  }
}
