// Pipeline health for the dashboard, from run state kept on the lake (_eventlake/): the last run of every pipeline,
// freshness per source (extract checkpoints), quarantine counts (quarantine/<source>/dt=…/), alerts sent
// (_eventlake/state/alerts/) and the stored anomaly reports (_eventlake/state/anomalies/). Nothing here reads gold.
import { codec } from '../../codec/index.ts';
import type { Context } from '../../cli/context.ts';
import { getJson, listAll } from '../../core/storage.ts';
import { RunHistory, type RunRecord } from '../../pipeline/history.ts';
import { windowEnd, type Freshness } from '../../operate/freshness.ts';
import type { AnomalyReport } from '../../operate/anomalies.ts';

export interface PipelineStatus {
  pipeline: string;
  window: string;
  runId: string;
  status: RunRecord['status'];
  trigger: RunRecord['trigger'];
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  failedStep?: string;
  error?: string;
  /** Status of the last runs of this pipeline, newest first (sparkline of successes/failures). */
  recent: RunRecord['status'][];
}

export interface QuarantineCount {
  source: string;
  files: number;
  bytes: number;
  /** Rejected records (lines of the ndjson.gz files); undefined when the files were too large to count here. */
  records?: number;
  latestDt?: string;
  reasons: Record<string, number>;
}

export interface AlertEntry {
  kind: string;
  subject: string;
  sentAt: string;
}

export interface HealthReport {
  generatedAt: string;
  pipelines: PipelineStatus[];
  runs: Pick<RunRecord, 'runId' | 'pipeline' | 'window' | 'status' | 'trigger' | 'startedAt' | 'durationMs'>[];
  freshness: Freshness[];
  quarantine: QuarantineCount[];
  alerts: AlertEntry[];
  anomalies: { source: string; generatedAt: string; days: number; flagged: AnomalyReport['anomalies'] }[];
}

/** Bytes of quarantine files decompressed and counted per request; above this only files/bytes are shown. */
const COUNT_BUDGET_BYTES = 64 * 1024 * 1024;

async function countLines(ctx: Context, key: string, reasons: Record<string, number>): Promise<number> {
  const stream = (await ctx.storage.read(key)).pipe(codec().createGunzip());
  let n = 0;
  let tail = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const lines = (tail + chunk.toString('utf8')).split('\n');
    tail = lines.pop() ?? '';
    for (const l of lines) {
      if (!l.trim()) continue;
      n++;
      tally(l, reasons);
    }
  }
  if (tail.trim()) {
    n++;
    tally(tail, reasons);
  }
  return n;
}

function tally(line: string, reasons: Record<string, number>) {
  // The reason's first clause ("truncated last line: …" -> "truncated last line") groups like rejections.
  const m = /"reason"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(line);
  const r = m ? m[1]!.split(':')[0]!.slice(0, 80) : 'unknown';
  reasons[r] = (reasons[r] ?? 0) + 1;
}

async function quarantineCounts(ctx: Context): Promise<QuarantineCount[]> {
  const prefix = `${ctx.layout.prefixes.quarantine}/`;
  const bySource = new Map<string, QuarantineCount>();
  const objs = await listAll(ctx.storage, prefix);
  let budget = COUNT_BUDGET_BYTES;
  for (const o of objs.sort((a, b) => b.key.localeCompare(a.key))) {
    const [source, dtPart] = o.key.slice(prefix.length).split('/');
    if (!source || !dtPart?.startsWith('dt=')) continue;
    const q = bySource.get(source) ?? { source, files: 0, bytes: 0, records: 0, reasons: {} };
    q.files++;
    q.bytes += o.size;
    const dt = dtPart.slice(3);
    if (!q.latestDt || dt > q.latestDt) q.latestDt = dt;
    if (q.records !== undefined && o.key.endsWith('.gz') && o.size <= budget) {
      budget -= o.size;
      try {
        q.records += await countLines(ctx, o.key, q.reasons);
      } catch {
        q.records = undefined;
      }
    } else q.records = undefined;
    bySource.set(source, q);
  }
  return [...bySource.values()].sort((a, b) => a.source.localeCompare(b.source));
}

/**
 * End of a checkpoint window. Like operate/freshness windowEnd, but also for windows with a batch prefix such as
 * "gharchive-2026-11-01T04" (the GH Archive extract names its checkpoints that way).
 */
function checkpointEnd(window: string): Date | undefined {
  const last = window.split('..').at(-1)!.trim();
  const m = /(\d{4}-\d{2}-\d{2}(?:T\d{2})?)$/.exec(last);
  return windowEnd(m ? m[1]! : last);
}

async function sourcesWithCheckpoints(ctx: Context): Promise<string[]> {
  const prefix = ctx.layout.metaKey('checkpoints') + '/';
  const s = new Set<string>();
  for (const o of await listAll(ctx.storage, prefix)) {
    const source = o.key.slice(prefix.length).split('/')[0];
    if (source) s.add(source);
  }
  return [...s].sort();
}

async function jsonUnder<T>(ctx: Context, prefix: string): Promise<T[]> {
  const out: T[] = [];
  for (const o of await listAll(ctx.storage, prefix)) {
    if (!o.key.endsWith('.json')) continue;
    const v = await getJson<T>(ctx.storage, o.key).catch(() => undefined);
    if (v) out.push(v);
  }
  return out;
}

export async function healthReport(ctx: Context, o: { maxLagHours?: number; now?: Date } = {}): Promise<HealthReport> {
  const history = new RunHistory(ctx.storage, ctx.layout);
  const runs = await history.list({ limit: 200 });
  const pipelines = new Map<string, PipelineStatus>();
  for (const r of runs) {
    const cur = pipelines.get(r.pipeline);
    if (cur) {
      if (cur.recent.length < 10) cur.recent.push(r.status);
      continue;
    }
    const failed = r.steps.find((s) => s.status === 'failed');
    pipelines.set(r.pipeline, {
      pipeline: r.pipeline,
      window: r.window,
      runId: r.runId,
      status: r.status,
      trigger: r.trigger,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      durationMs: r.durationMs,
      failedStep: r.error?.step ?? failed?.id,
      error: r.error?.message,
      recent: [r.status],
    });
  }
  const freshness: Freshness[] = [];
  const now = o.now ?? new Date();
  const maxLag = (o.maxLagHours ?? 26) * 3600;
  for (const source of await sourcesWithCheckpoints(ctx)) {
    let newest: { window: string; end: Date } | undefined;
    for (const cp of await ctx.meta.listCheckpoints(source)) {
      if (cp.status === 'failed') continue;
      const end = checkpointEnd(cp.window);
      if (end && (!newest || end > newest.end)) newest = { window: cp.window, end };
    }
    const lagSeconds = newest ? Math.max(0, Math.round((now.getTime() - newest.end.getTime()) / 1000)) : undefined;
    freshness.push({ source, newestWindow: newest?.window, lagSeconds, stale: lagSeconds === undefined || lagSeconds > maxLag });
  }
  const alerts = (await jsonUnder<{ kind: string; subject: string; sentAt: number }>(ctx, ctx.layout.metaKey('state', 'alerts') + '/'))
    .map((a) => ({ kind: a.kind, subject: a.subject, sentAt: new Date(a.sentAt).toISOString() }))
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt))
    .slice(0, 50);
  const anomalies = (await jsonUnder<AnomalyReport>(ctx, ctx.layout.metaKey('state', 'anomalies') + '/'))
    .map((r) => ({ source: r.source, generatedAt: r.generatedAt, days: r.days, flagged: r.anomalies }))
    .sort((a, b) => a.source.localeCompare(b.source));
  return {
    generatedAt: (o.now ?? new Date()).toISOString(),
    pipelines: [...pipelines.values()].sort((a, b) => a.pipeline.localeCompare(b.pipeline)),
    runs: runs.slice(0, 30).map((r) => ({ runId: r.runId, pipeline: r.pipeline, window: r.window, status: r.status, trigger: r.trigger, startedAt: r.startedAt, durationMs: r.durationMs })),
    freshness,
    quarantine: await quarantineCounts(ctx),
    alerts,
    anomalies,
  };
}
