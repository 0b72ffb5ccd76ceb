// GH Archive backfill: one hourly file (https://data.gharchive.org/YYYY-MM-DD-H.json.gz) per hour in the window,
// streamed to a temp file while the gzip is verified end to end, then landed byte for byte at
//   raw/github/dt=YYYY-MM-DD/hour=HH/gharchive-YYYY-MM-DD-HH.json.gz
// with a manifest and a checkpoint per hour. Reruns skip done hours and rewrite the same keys (never duplicates);
// 404 hours are recorded as gaps; a file that stays corrupt after retries is quarantined with its reason.
import { createWriteStream, promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Context } from '../../cli/context.ts';
import { EventlakeError } from '../../core/errors.ts';
import { mapLimit, withRetry } from '../../core/retry.ts';
import { progress } from '../../core/progress.ts';
import { dtOf, formatHour, hourOf, hoursBetween, parseHour } from '../../lake/hours.ts';
import { pad2 } from '../../lake/layout.ts';
import { putJson } from '../../core/storage.ts';
import { httpGet, readBody, statusError, networkError } from './http.ts';
import { GzipNdjsonVerifier, type NdjsonStats } from './ndjson-gzip.ts';
import { SOURCE, gharchiveBatchId, gharchiveFileName, gharchiveWindow } from './names.ts';

const STEP = 'extract.gharchive';

export interface ExtractGhArchiveOptions {
  /** "YYYY-MM-DDTHH" (UTC), inclusive. */
  start: string;
  /** "YYYY-MM-DDTHH" (UTC), inclusive. */
  end: string;
  /** Refetch hours already checkpointed as done. */
  force?: boolean;
  concurrency?: number;
  /** Hide the progress line (tests, bench). */
  quiet?: boolean;
}

export interface GhArchiveManifest {
  source: 'github';
  kind: 'gharchive';
  batchId: string;
  hour: string; // "2026-11-01T05"
  url: string;
  key: string;
  bytes: number;
  sha256: string;
  lines: number;
  uncompressedBytes: number;
  firstCreatedAt?: string;
  lastCreatedAt?: string;
  truncatedLastLine: boolean;
  attempts: number;
  landedAt: string;
}

export type HourOutcome =
  | { hour: string; status: 'landed'; manifest: GhArchiveManifest }
  | { hour: string; status: 'skipped'; key: string }
  | { hour: string; status: 'missing'; url: string }
  | { hour: string; status: 'quarantined'; reason: string; key: string }
  | { hour: string; status: 'failed'; reason: string };

export interface ExtractGhArchiveResult {
  hours: HourOutcome[];
  landed: number;
  skipped: number;
  missing: string[];
  failed: string[];
  bytes: number;
  lines: number;
}

type Fetched = { kind: 'missing' } | { kind: 'ok'; stats: NdjsonStats; bytes: number; sha256: string; url: string };

/** Downloads one hour to `tmp`, verifying the gzip while streaming. Throws retryable errors for transient failures. */
async function fetchHour(url: string, tmp: string, timeoutMs: number): Promise<Fetched> {
  const res = await httpGet(url, { timeoutMs, step: STEP });
  if (res.status === 404) {
    res.body.resume();
    return { kind: 'missing' };
  }
  if (res.status !== 200) {
    const detail = await readBody(res.body, 4096).then((b) => b.toString('utf8').slice(0, 200), () => '');
    throw statusError(url, res.status, res.headers, STEP, detail);
  }
  const file = createWriteStream(tmp, { highWaterMark: 1024 * 1024 });
  const fileError = new Promise<never>((_, reject) => file.once('error', reject));
  fileError.catch(() => undefined);
  const hash = createHash('sha256');
  const verifier = new GzipNdjsonVerifier();
  let bytes = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      // Listen for 'drain' before awaiting zlib, or a drain emitted meanwhile would be missed.
      const drained = file.write(chunk) ? undefined : once(file, 'drain');
      await verifier.write(chunk);
      if (drained) await Promise.race([drained, fileError]);
    }
  } catch (err) {
    verifier.destroy();
    file.destroy();
    throw networkError(url, err, STEP);
  }
  file.end();
  await Promise.race([once(file, 'close'), fileError]);
  const expected = Number(res.headers['content-length'] ?? NaN);
  if (Number.isFinite(expected) && expected !== bytes) {
    verifier.destroy();
    throw new EventlakeError(`short body from ${url}: ${bytes} of ${expected} bytes`, { step: STEP, retryable: true, code: 'SHORT_BODY' });
  }
  if (bytes === 0) return { kind: 'missing' };
  try {
    const stats = await verifier.end();
    return { kind: 'ok', stats, bytes, sha256: hash.digest('hex'), url };
  } catch (err) {
    throw Object.assign(
      new EventlakeError(`corrupt gzip from ${url}: ${(err as Error).message}`, { step: STEP, retryable: true, code: 'BAD_GZIP', cause: err }),
      { badGzip: true },
    );
  }
}

/** Backfills GH Archive hours from `start` to `end` inclusive. Never throws for one bad hour: see `failed`. */
export async function extractGhArchive(ctx: Context, opts: ExtractGhArchiveOptions): Promise<ExtractGhArchiveResult> {
  const cfg = ctx.loaded.config.github.gharchive;
  const hours = hoursBetween(parseHour(opts.start, '--start'), parseHour(opts.end, '--end'));
  const bases = [cfg.baseUrl, ...cfg.mirrors].map((b) => b.replace(/\/+$/, ''));
  const concurrency = Math.max(1, opts.concurrency ?? cfg.concurrency);
  const bar = progress('gharchive hours', hours.length, { quiet: opts.quiet });
  const next = `eventlake extract gharchive --start ${opts.start} --end ${opts.end}`;

  const one = async (hourMs: number): Promise<HourOutcome> => {
    const hour = formatHour(hourMs);
    const dt = dtOf(hourMs);
    const hh = hourOf(hourMs);
    const batchId = gharchiveBatchId(hourMs);
    const window = gharchiveWindow(hourMs);
    const key = ctx.layout.rawKey(SOURCE, dt, hh, `${batchId}.json.gz`);
    if (!opts.force) {
      const cp = await ctx.meta.getCheckpoint(SOURCE, window);
      if (cp?.status === 'done' && (await ctx.storage.head(key))) return { hour, status: 'skipped', key };
    }
    const name = gharchiveFileName(hourMs);
    const tmp = join(ctx.loaded.tmpDir, `gharchive-${process.pid}-${name}`);
    let attempts = 0;
    let lastUrl = '';
    try {
      const got = await withRetry(
        async (attempt) => {
          attempts = attempt;
          lastUrl = `${bases[(attempt - 1) % bases.length]}/${name}`;
          return fetchHour(lastUrl, tmp, cfg.timeoutMs);
        },
        {
          ...cfg.retry,
          waitHintMs: (e) => (e as { waitMs?: number }).waitMs,
          onRetry: (e, attempt, waitMs) => ctx.log.warn({ hour, attempt, waitMs, err: (e as Error).message }, `gharchive ${name}: retrying`),
        },
      );
      if (got.kind === 'missing') {
        await ctx.meta.putCheckpoint({ source: SOURCE, window, status: 'empty', detail: { missing: true, hour, url: lastUrl } });
        ctx.log.warn({ hour, url: lastUrl }, `gharchive ${name}: not found (recorded as a gap)`);
        return { hour, status: 'missing', url: lastUrl };
      }
      await ctx.storage.putFile(key, tmp);
      const manifest: GhArchiveManifest = {
        source: 'github',
        kind: 'gharchive',
        batchId,
        hour,
        url: got.url,
        key,
        bytes: got.bytes,
        sha256: got.sha256,
        lines: got.stats.lines,
        uncompressedBytes: got.stats.uncompressedBytes,
        firstCreatedAt: got.stats.firstCreatedAt,
        lastCreatedAt: got.stats.lastCreatedAt,
        truncatedLastLine: got.stats.truncatedLastLine,
        attempts,
        landedAt: new Date().toISOString(),
      };
      await ctx.meta.putManifest(SOURCE, batchId, manifest);
      await ctx.meta.putCheckpoint({
        source: SOURCE,
        window,
        status: 'done',
        detail: { key, bytes: got.bytes, lines: got.stats.lines, sha256: got.sha256, truncatedLastLine: got.stats.truncatedLastLine },
      });
      if (got.stats.truncatedLastLine) ctx.log.warn({ hour, key }, `gharchive ${name}: last line is truncated (flagged in the manifest)`);
      bar.add(1, got.bytes);
      return { hour, status: 'landed', manifest };
    } catch (err) {
      const reason = (err as Error).message;
      bar.add(1);
      if ((err as { badGzip?: boolean }).badGzip) {
        // Keep the bytes as received, next to the reason, so nothing is lost and the failure can be inspected.
        const qKey = `${ctx.layout.quarantinePrefix(SOURCE, dt)}hour=${pad2(hh)}/${batchId}.json.gz`;
        await ctx.storage.putFile(qKey, tmp);
        await putJson(ctx.storage, `${qKey}.reason.json`, { source: SOURCE, hour, url: lastUrl, reason, attempts, at: new Date().toISOString() });
        await ctx.meta.putCheckpoint({ source: SOURCE, window, status: 'failed', detail: { hour, reason, quarantineKey: qKey } });
        ctx.log.error({ hour, quarantineKey: qKey }, `gharchive ${name}: corrupt after ${attempts} attempts, quarantined`);
        return { hour, status: 'quarantined', reason, key: qKey };
      }
      await ctx.meta.putCheckpoint({ source: SOURCE, window, status: 'failed', detail: { hour, reason } });
      ctx.log.error({ hour, err: reason }, `gharchive ${name}: failed`);
      return { hour, status: 'failed', reason };
    } finally {
      await fs.rm(tmp, { force: true });
    }
  };

  const outcomes = await mapLimit(hours, concurrency, async (h) => {
    const o = await one(h);
    if (o.status === 'skipped' || o.status === 'missing') bar.add(1);
    return o;
  });
  const landed = outcomes.filter((o) => o.status === 'landed') as Array<Extract<HourOutcome, { status: 'landed' }>>;
  const result: ExtractGhArchiveResult = {
    hours: outcomes,
    landed: landed.length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    missing: outcomes.filter((o) => o.status === 'missing').map((o) => o.hour),
    failed: outcomes.filter((o) => o.status === 'failed' || o.status === 'quarantined').map((o) => o.hour),
    bytes: landed.reduce((s, o) => s + o.manifest.bytes, 0),
    lines: landed.reduce((s, o) => s + o.manifest.lines, 0),
  };
  bar.done(
    `gharchive: ${result.landed} landed, ${result.skipped} already done, ${result.missing.length} missing, ${result.failed.length} failed` +
      (result.failed.length ? ` (rerun: ${next})` : ''),
  );
  return result;
}
