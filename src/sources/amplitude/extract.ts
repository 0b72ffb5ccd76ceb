// `eventlake extract amplitude`: hourly windows on server_upload_time -> Export API -> raw (bronze).
// Resumable: every hour of a completed window gets a checkpoint under _eventlake/checkpoints/amplitude/, and a rerun
// only asks for hours without one. 400/504 split a window in halves down to 1 h; 404 is an empty window (recorded).
// Download + landing are retried together (a truncated download shows up as a corrupt zip).
import { promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Context } from '../../cli/context.ts';
import { EventlakeError, ExitCode } from '../../core/errors.ts';
import { mapLimit, withRetry } from '../../core/retry.ts';
import { progress } from '../../core/progress.ts';
import { listAll } from '../../core/storage.ts';
import { formatHour, hoursBetween, HOUR_MS, parseHour } from '../../lake/hours.ts';
import { ExportClient, WindowTooLargeError, windowLabel } from './client.ts';
import { landExportZip, type LandedEntry } from './land.ts';
import { SOURCE, STEP } from './names.ts';

export interface ExtractOptions {
  start: string; // YYYY-MM-DDTHH
  end: string;
  force?: boolean;
  concurrency?: number;
  /** For tests: the current time. */
  now?: number;
  /** For tests: overrides the retry sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Environment to read the keys from (default process.env). */
  env?: NodeJS.ProcessEnv;
  quiet?: boolean;
}

export type WindowStatus = 'done' | 'empty' | 'failed';

export interface WindowOutcome {
  window: string;
  status: WindowStatus;
  hours: number;
  entries: number;
  bytes: number;
  events: number;
  manifest?: string;
  error?: { code?: string; message: string };
}

export interface ExtractSummary {
  start: string;
  end: string;
  hours: { total: number; skipped: number; done: number; empty: number; failed: number };
  windows: WindowOutcome[];
  entries: number;
  bytes: number;
  events: number;
  /** 0 when every window landed or was empty, 4 (PARTIAL) when some failed, 1 when all requested windows failed. */
  exitCode: number;
}

export interface AmplitudeManifest {
  source: 'amplitude';
  window: { start: string; end: string; label: string };
  status: 'done' | 'empty';
  /** Hours extracted with --force while younger than amplitude.minAgeHours (re-fetched by the next run). */
  young: boolean;
  download: { bytes: number; url: string } | null;
  entries: LandedEntry[];
  totals: { entries: number; bytes: number; events: number; inflatedBytes: number };
  landedAt: string;
}

const DOWNLOAD_RE = /^amplitude-\d{8}T\d{2}-\d{8}T\d{2}-[0-9a-f]{8}\.zip$/;

/** Zips left behind by a killed run (a live run's downloads are younger than an hour or are being written). */
async function removeStaleDownloads(tmpDir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(tmpDir);
  } catch {
    return;
  }
  for (const n of names.filter((x) => DOWNLOAD_RE.test(x))) {
    const p = join(tmpDir, n);
    const st = await fs.stat(p).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > HOUR_MS) await fs.rm(p, { force: true });
  }
}

/** Consecutive pending hours grouped into windows of at most `size` hours. */
function groupWindows(hours: number[], size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let cur: [number, number] | undefined;
  for (const h of hours) {
    if (cur && h === cur[1] + HOUR_MS && (h - cur[0]) / HOUR_MS < size) cur[1] = h;
    else {
      cur = [h, h];
      out.push(cur);
    }
  }
  return out;
}

export async function extractAmplitude(ctx: Context, opts: ExtractOptions): Promise<ExtractSummary> {
  const cfg = ctx.loaded.config.amplitude;
  const startMs = parseHour(opts.start, '--start');
  const endMs = parseHour(opts.end, '--end');
  const hours = hoursBetween(startMs, endMs);
  const now = opts.now ?? Date.now();
  const minAgeMs = cfg.minAgeHours * HOUR_MS;
  const isYoung = (h: number) => h + HOUR_MS + minAgeMs > now;
  const young = hours.filter(isYoung);
  if (young.length && !opts.force) {
    const lastOk = Math.floor((now - minAgeMs) / HOUR_MS) * HOUR_MS - HOUR_MS;
    throw new EventlakeError(
      `hours from ${formatHour(young[0]!)} on are less than ${cfg.minAgeHours} h old: Amplitude makes data exportable ~2 h after receipt, so they may still be incomplete`,
      {
        step: STEP,
        code: 'USAGE',
        next: `eventlake extract amplitude --start ${opts.start} --end ${formatHour(Math.max(lastOk, startMs))}   (or add --force)`,
      },
    );
  }

  const client = new ExportClient({
    region: cfg.region,
    baseUrl: cfg.baseUrl,
    apiKeyEnv: cfg.apiKeyEnv,
    secretKeyEnv: cfg.secretKeyEnv,
    timeoutMs: cfg.timeoutMs,
    retry: cfg.retry,
    tmpDir: ctx.loaded.tmpDir,
    env: opts.env,
  });

  await removeStaleDownloads(ctx.loaded.tmpDir);

  // Resume: skip hours already landed (or known empty) unless they were taken while still young.
  const pending: number[] = [];
  let skipped = 0;
  for (const h of hours) {
    const cp = await ctx.meta.getCheckpoint(SOURCE, formatHour(h));
    if (cp && (cp.status === 'done' || cp.status === 'empty') && !cp.detail?.young) skipped++;
    else pending.push(h);
  }
  const windows = groupWindows(pending, cfg.windowHours);
  const concurrency = opts.concurrency ?? cfg.concurrency;
  const entryConcurrency = cfg.entryConcurrency || Math.max(2, availableParallelism());
  const prog = progress('amplitude extract (hours)', pending.length, { quiet: opts.quiet });
  const outcomes: WindowOutcome[] = [];
  ctx.log.info({ step: STEP, hours: hours.length, skipped, windows: windows.length, url: client.exportUrl }, `extracting ${pending.length} of ${hours.length} hours in ${windows.length} windows`);

  // Landing is CPU-bound and already inflates entryConcurrency entries in parallel: two landings at once only add
  // memory, not speed. So windows download concurrently but land one at a time (`extract amplitude` of 2M events in
  // two 24 h windows, concurrency 2: peak RSS 306 -> 231 MB, same time).
  // Landing runs in this thread. It ran in a worker thread (its own small heap, for cheap GCs under 3 GB of inflate
  // garbage) until young-gc.ts made that garbage short-lived; the worker's isolate and malloc arena then cost more
  // than they saved. Measured 2026-11-30, this command on the 2M-event export against the local Export API, peak RSS /
  // user+sys CPU s: isal codec in a worker 209-234 MB / 6.7-7.1 s, in this thread 157-167 MB / 7.2-7.9 s; zlib
  // 250 MB / 8.2 s vs 191 MB / 9.4 s.
  let landing: Promise<unknown> = Promise.resolve();
  const landOneAtATime = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = landing.then(fn, fn);
    landing = run.catch(() => undefined);
    return run;
  };

  const landWindow = async (s: number, e: number): Promise<void> => {
    const label = windowLabel(s, e);
    const nHours = (e - s) / HOUR_MS + 1;
    const windowYoung = isYoung(e);
    try {
      const out = await withRetry(
        async (attempt) => {
          const r = await client.fetchOnce(s, e, attempt);
          if (r.kind === 'empty') return { status: 'empty' as const, download: null, land: undefined };
          try {
            const land = await landOneAtATime(() => landExportZip(r.file, { step: STEP, limits: cfg, entryConcurrency, storage: ctx.storage, layout: ctx.layout }));
            return { status: 'done' as const, download: { bytes: r.bytes, url: client.exportUrl }, land };
          } finally {
            await fs.rm(r.file, { force: true });
          }
        },
        {
          ...cfg.retry,
          sleep: opts.sleep,
          waitHintMs: (err) => (err as EventlakeError).context?.retryAfterMs as number | undefined,
          onRetry: (err, attempt, waitMs) =>
            ctx.log.warn({ step: STEP, window: label, attempt, waitMs, code: (err as EventlakeError).code }, `retrying ${label} in ${waitMs} ms: ${(err as Error).message}`),
        },
      );
      const landedKeys = new Set(out.land?.entries.map((x) => x.key) ?? []);
      if (out.status === 'done') {
        // A rerun replaces: files of these hours from an earlier landing that this export no longer has are removed.
        for (let h = s; h <= e; h += HOUR_MS) {
          const prefix = ctx.layout.rawPrefix(SOURCE, new Date(h).toISOString().slice(0, 10), new Date(h).getUTCHours());
          for (const o of await listAll(ctx.storage, prefix)) if (!landedKeys.has(o.key)) await ctx.storage.delete(o.key);
        }
      }
      const land = out.land;
      const manifest: AmplitudeManifest = {
        source: 'amplitude',
        window: { start: formatHour(s), end: formatHour(e), label },
        status: out.status,
        young: windowYoung,
        download: out.download,
        entries: land?.entries ?? [],
        totals: { entries: land?.entries.length ?? 0, bytes: land?.bytes ?? 0, events: land?.events ?? 0, inflatedBytes: land?.inflatedBytes ?? 0 },
        landedAt: new Date().toISOString(),
      };
      const manifestKey = await ctx.meta.putManifest(SOURCE, label, manifest);
      for (let h = s; h <= e; h += HOUR_MS) {
        await ctx.meta.putCheckpoint({ source: SOURCE, window: formatHour(h), status: out.status, detail: { window: label, manifest: manifestKey, young: windowYoung } });
      }
      outcomes.push({ window: label, status: out.status, hours: nHours, entries: manifest.totals.entries, bytes: manifest.totals.bytes, events: manifest.totals.events, manifest: manifestKey });
      ctx.log.info({ step: STEP, window: label, status: out.status, ...manifest.totals }, `${label}: ${out.status === 'empty' ? 'empty (404)' : `${manifest.totals.entries} files, ${manifest.totals.events} events`}`);
      prog.add(nHours, manifest.totals.bytes);
    } catch (err) {
      if (err instanceof WindowTooLargeError && e > s) {
        const mid = s + Math.floor((e - s) / HOUR_MS / 2) * HOUR_MS;
        ctx.log.warn({ step: STEP, window: label, status: err.status }, `${label} too large (HTTP ${err.status}): splitting into ${windowLabel(s, mid)} and ${windowLabel(mid + HOUR_MS, e)}`);
        await landWindow(s, mid);
        await landWindow(mid + HOUR_MS, e);
        return;
      }
      if (err instanceof EventlakeError && err.code === 'AUTH') throw err; // nothing else can work either
      const ee = err instanceof EventlakeError ? err : new EventlakeError((err as Error).message, { step: STEP, cause: err });
      ctx.log.error({ step: STEP, window: label, code: ee.code, context: ee.context }, `${label} failed: ${ee.message}`);
      for (let h = s; h <= e; h += HOUR_MS) {
        await ctx.meta.putCheckpoint({ source: SOURCE, window: formatHour(h), status: 'failed', detail: { window: label, code: ee.code, error: ee.message } });
      }
      outcomes.push({ window: label, status: 'failed', hours: nHours, entries: 0, bytes: 0, events: 0, error: { code: ee.code, message: ee.message } });
      prog.add(nHours);
    }
  };

  await mapLimit(windows, concurrency, ([s, e]) => landWindow(s, e));
  outcomes.sort((a, b) => (a.window < b.window ? -1 : 1));
  const sumHours = (st: WindowStatus) => outcomes.filter((o) => o.status === st).reduce((n, o) => n + o.hours, 0);
  const failed = sumHours('failed');
  const summary: ExtractSummary = {
    start: opts.start,
    end: opts.end,
    hours: { total: hours.length, skipped, done: sumHours('done'), empty: sumHours('empty'), failed },
    windows: outcomes,
    entries: outcomes.reduce((n, o) => n + o.entries, 0),
    bytes: outcomes.reduce((n, o) => n + o.bytes, 0),
    events: outcomes.reduce((n, o) => n + o.events, 0),
    exitCode: failed === 0 ? ExitCode.OK : failed === hours.length ? ExitCode.FAILURE : ExitCode.PARTIAL,
  };
  prog.done();
  return summary;
}
