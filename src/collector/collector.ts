// The collector: durable ingest (WAL + group commit), Firehose-style buffering hints, and one delivery loop that
// turns sealed WAL segments into lake files. Bounded: when the WAL holds maxWalBytes, ingest refuses (HTTP 429).
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Registry } from 'prom-client';
import type { Storage } from '../core/storage.ts';
import type { Logger } from '../core/log.ts';
import { EventlakeError } from '../core/errors.ts';
import { backoffMs, sleep } from '../core/retry.ts';
import type { LakeLayout } from '../lake/layout.ts';
import type { CollectorConfig } from '../config/sections/collector.ts';
import { Wal, encodeEntry, encodeLinesEntry, finishGzipEntry, gzipEntryBound, gzipEntryRegions, type Segment } from './wal.ts';
import { codec } from '../codec/index.ts';
import { BufferPool } from './buffer-pool.ts';
import { allPassGithubLines } from './firehose-transform.ts';
import { buildSegmentFiles, publishBuilt, type BuildSpec, type DeliveryResult } from './delivery.ts';
import { DeliveryWorker } from './delivery-pool.ts';
import { loadTransform, type BatchTransform } from './transform.ts';
import { collectorMetrics, type CollectorMetrics } from './metrics.ts';

export interface CollectorDeps {
  config: CollectorConfig;
  storage: Storage;
  layout: LakeLayout;
  log: Logger;
  registry: Registry;
  lakeRoot: string;
  tmpDir: string;
  /** Folder relative paths (walDir, transform module) are resolved against. */
  baseDir: string;
}

/** Thrown by ingest when the buffer is full; the HTTP layer answers 429 with Retry-After. */
export class BufferFullError extends EventlakeError {
  constructor(readonly retryAfterSeconds: number, bytes: number, max: number) {
    super(`collector buffer is full (${bytes} of ${max} bytes waiting for delivery): retry after ${retryAfterSeconds}s`, { step: 'collector.ingest', retryable: true, code: 'THROTTLED' });
  }
}

export function defaultWalDir(lakeRoot: string, source: string): string {
  return join(dirname(lakeRoot), '.eventlake-wal', source);
}

export class Collector {
  readonly wal: Wal;
  readonly metrics: CollectorMetrics;
  private transform!: BatchTransform;
  /** Idle delivery threads (one per delivery lane; empty when deliveryThread is off). */
  private readonly workers: DeliveryWorker[] = [];
  private readonly allWorkers: DeliveryWorker[] = [];
  private readonly queue: Segment[] = [];
  /** Set while any segment is queued or being delivered; resolves when none is. */
  private pumping?: Promise<void>;
  private pumpDone?: () => void;
  /** Segments being delivered now (at most collector.deliveryConcurrency). */
  private active = 0;
  private readonly lanes: number;
  private timer?: NodeJS.Timeout;
  private closing = false;
  private closed?: Promise<void>;
  private lastFlushMs = Date.now();
  /** Totals since start (also in /metrics); handy for tests and logs. */
  readonly totals = { ok: 0, dropped: 0, failed: 0, files: 0, skipped: 0 };
  private readonly bufferBytes: number;
  private readonly intervalMs: number;
  private idleWaiters: (() => void)[] = [];
  /** Buffers for gzip entries while their write is pending (megabytes each: reused, not churned). */
  private readonly gzipOut = new BufferPool(16);
  /** Bytes of requests being compressed, counted against maxWalBytes before they reach the WAL. */
  private reserved = 0;

  constructor(private readonly deps: CollectorDeps) {
    const c = deps.config;
    const walDir = c.walDir ? (isAbsolute(c.walDir) ? c.walDir : resolve(deps.baseDir, c.walDir)) : defaultWalDir(deps.lakeRoot, c.source);
    this.wal = new Wal(walDir);
    this.metrics = collectorMetrics(deps.registry);
    this.bufferBytes = Math.round(c.bufferSizeMiB * 1024 * 1024);
    this.intervalMs = c.bufferIntervalSeconds * 1000;
    this.lanes = c.deliveryConcurrency;
  }

  get log(): Logger {
    return this.deps.log;
  }

  get walId(): string {
    return this.wal.walId;
  }

  /** Opens the WAL, queues what a previous run left for delivery, starts the interval trigger. */
  async start(): Promise<void> {
    this.transform = await loadTransform(this.deps.config.transform, this.deps.baseDir); // fails fast on a bad module
    if (this.deps.config.deliveryThread) {
      for (let i = 0; i < this.lanes; i++) this.allWorkers.push(new DeliveryWorker(this.deps.config.transform, this.deps.baseDir));
      await Promise.all(this.allWorkers.map((w) => w.warm()));
      this.workers.push(...this.allWorkers);
    }
    const left = await this.wal.open();
    if (left.length) this.deps.log.info({ segments: left.length, bytes: this.wal.bytes, walDir: this.wal.dir }, 'collector: replaying write-ahead log');
    for (const s of left) this.enqueue(s);
    this.updateGauges();
    const tick = this.intervalMs === 0 ? 20 : Math.min(1000, Math.max(50, this.intervalMs / 4));
    this.timer = setInterval(() => this.onTick(), tick);
    this.timer.unref();
  }

  /** Seconds a throttled producer should wait: until the next delivery could free space. */
  retryAfterSeconds(): number {
    if (this.pumping) return 1;
    const head = this.wal.head;
    const due = head ? head.firstArrivalMs + this.intervalMs - Date.now() : 1000;
    return Math.min(30, Math.max(1, Math.ceil(due / 1000)));
  }

  /** Throws BufferFullError when `bytes` more would overfill the WAL (cheap: call it before decoding a request). */
  checkRoom(bytes: number): void {
    this.assertOpen();
    const max = this.deps.config.maxWalBytes;
    if (this.wal.bytes + this.reserved + bytes > max) {
      this.metrics.throttled.inc();
      throw new BufferFullError(this.retryAfterSeconds(), this.wal.bytes + this.reserved, max);
    }
  }

  /**
   * The layout ingestEntry() takes: 'lines' (each record followed by "\n": it gzips them into the WAL entry) when
   * collector.walCompression is gzip, else 'plain' (finished entries, written as they are).
   */
  get entryLayout(): 'lines' | 'plain' {
    return this.deps.config.walCompression === 'none' ? 'plain' : 'lines';
  }

  /**
   * Appends records durably; resolves with the WAL position (for record ids) once they are on disk: only then may the
   * caller acknowledge. Throws BufferFullError when the WAL is full.
   */
  async ingest(records: Buffer[], producer: string, arrivalMs = Date.now()): Promise<{ seq: number; offset: number }> {
    let raw = 0;
    for (const r of records) raw += r.length;
    const entry = this.entryLayout === 'lines' ? encodeLinesEntry(records) : encodeEntry(records, arrivalMs);
    return this.ingestEntry(entry, records.length, raw, producer, arrivalMs);
  }

  /**
   * ingest() for an entry already built in entryLayout (encodeEntry / encodeLinesEntry / decodeBatchEntry) holding
   * `count` records of `raw` bytes. A plain entry must be finished (finishEntry). A lines entry is gzipped, and with
   * the GitHub transform checked for records it passes unchanged, both on the libuv thread pool (the HTTP thread only
   * decodes and writes); `entry` must not change until this settles, and may be reused after.
   */
  async ingestEntry(entry: Buffer, count: number, raw: number, producer: string, arrivalMs: number): Promise<{ seq: number; offset: number }> {
    let buf = entry;
    let pooled: Buffer | undefined;
    try {
      if (this.entryLayout === 'lines') {
        const bound = gzipEntryBound(entry.length);
        this.checkRoom(bound);
        this.reserved += bound;
        try {
          pooled = this.gzipOut.take(bound);
          const { data, member } = gzipEntryRegions(entry, count, pooled);
          // Both settle before anything is released: a failed one must not free buffers the other still uses.
          const [gz, scan] = await Promise.allSettled([
            codec().gzipIntoAsync(data, member, { level: this.deps.config.gzipLevel }),
            this.deps.config.transform === 'github' ? allPassGithubLines(entry, count) : false,
          ]);
          if (gz.status === 'rejected') throw gz.reason;
          if (scan.status === 'rejected') throw scan.reason;
          const [memberLen, verdict] = [gz.value, scan.value];
          this.assertOpen();
          buf = finishGzipEntry(entry, count, arrivalMs, pooled, memberLen, verdict);
        } finally {
          this.reserved -= bound;
        }
      } else this.checkRoom(entry.length);
      const { seg, offset, done } = this.wal.appendEntry(buf, count, raw, arrivalMs);
      if (seg.rawBytes >= this.bufferBytes) this.flush(); // size trigger (SizeInMBs)
      this.updateGauges();
      await done;
      this.metrics.recordsIn.inc({ producer }, count);
      this.metrics.bytesIn.inc(raw);
      return { seq: seg.seq, offset };
    } finally {
      this.gzipOut.give(pooled); // written (or failed): the WAL holds no reference any more
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new EventlakeError('collector is shutting down', { step: 'collector.ingest', retryable: true, code: 'CLOSING' });
  }

  /** Seals the open buffer and queues it for delivery. */
  flush(): void {
    const seg = this.wal.seal();
    if (seg) this.enqueue(seg);
  }

  /** Resolves when nothing is buffered or being delivered (tests, graceful shutdown). */
  async idle(): Promise<void> {
    if (!this.pumping && !this.wal.head && this.queue.length === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private onTick(): void {
    const head = this.wal.head;
    if (head && Date.now() - head.firstArrivalMs >= this.intervalMs) this.flush(); // interval trigger (IntervalInSeconds)
  }

  private enqueue(seg: Segment): void {
    this.queue.push(seg);
    this.startPump();
  }

  /**
   * Starts deliveries of queued segments, up to collector.deliveryConcurrency at once. Segments are independent
   * (each one's keys derive from its own number; the WAL forgets a segment only after its files landed), so they
   * may finish in any order: two lanes use both cores while the HTTP thread is idle, e.g. draining on shutdown.
   */
  private startPump(): void {
    if (!this.pumping && this.queue.length) this.pumping = new Promise((r) => (this.pumpDone = r));
    while (this.active < this.lanes && this.queue.length) {
      const seg = this.queue.shift()!;
      this.active++;
      void this.deliver(seg).finally(() => {
        this.active--;
        this.updateGauges();
        this.startPump();
      });
    }
    if (this.active === 0 && this.queue.length === 0 && this.pumping) {
      const done = this.pumpDone!;
      this.pumping = this.pumpDone = undefined;
      done();
      if (!this.wal.head) for (const r of this.idleWaiters.splice(0)) r();
    }
  }

  /** Delivers one segment, retrying with backoff; during shutdown gives up after 3 attempts (the WAL keeps it). */
  private async deliver(seg: Segment): Promise<void> {
    await seg.durable;
    let attempt = 0;
    for (;;) {
      const t0 = process.hrtime.bigint();
      const worker = this.workers.pop();
      try {
        const spec: BuildSpec = {
          segPath: seg.path,
          seq: seg.seq,
          walId: this.wal.walId,
          prefixes: this.deps.layout.prefixes,
          source: this.deps.config.source,
          prefixStyle: this.deps.config.prefixStyle,
          errorPrefix: this.deps.config.errorPrefix,
          gzipLevel: this.deps.config.gzipLevel,
          tmpDir: this.deps.tmpDir,
          checkCrc: seg.writeFailed,
          trustGithubVerdict: this.deps.config.transform === 'github',
        };
        const built = worker ? await worker.build(spec) : await buildSegmentFiles(spec, this.transform);
        const r = await publishBuilt(this.deps.storage, seg.seq, built);
        await this.wal.delivered(seg);
        this.account(r, Number(process.hrtime.bigint() - t0) / 1e9);
        return;
      } catch (err) {
        this.metrics.deliveryErrors.inc();
        attempt++;
        if (this.closing && attempt >= 3) {
          this.deps.log.error({ err, segment: seg.seq, walDir: this.wal.dir }, 'collector: delivery failed during shutdown; the segment stays in the WAL and is delivered on the next start');
          this.queue.length = 0;
          return;
        }
        const wait = backoffMs(attempt, 500, 30_000);
        this.deps.log.warn({ err, segment: seg.seq, attempt, retryInMs: wait }, 'collector: delivery failed, retrying');
        await sleep(wait);
      } finally {
        if (worker) this.workers.push(worker);
      }
    }
  }

  private account(r: DeliveryResult, seconds: number): void {
    this.totals.ok += r.ok;
    this.totals.dropped += r.dropped;
    this.totals.failed += r.failed;
    this.totals.files += r.files.length;
    this.totals.skipped += r.skipped.length;
    this.metrics.recordsOut.inc({ result: 'ok' }, r.ok);
    this.metrics.recordsOut.inc({ result: 'dropped' }, r.dropped);
    this.metrics.recordsOut.inc({ result: 'processing_failed' }, r.failed);
    this.metrics.bytesOut.inc(r.bytes);
    this.metrics.files.inc(r.files.length);
    this.metrics.flushSeconds.observe(seconds);
    this.lastFlushMs = Date.now();
    if (r.skipped.length) this.deps.log.info({ skipped: r.skipped }, 'collector: keys already delivered before a restart were left as they are');
  }

  private updateGauges(): void {
    this.metrics.bufferBytes.set(this.wal.bytes);
    this.metrics.bufferFill.set(this.wal.bytes / this.deps.config.maxWalBytes);
  }

  /** Graceful shutdown: stop accepting, write what is queued, deliver everything buffered. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      if (this.timer) clearInterval(this.timer);
      await this.wal.drain();
      this.flush();
      while (this.pumping) await this.pumping;
      await this.wal.close();
      await Promise.all(this.allWorkers.map((w) => w.close()));
      this.updateGauges();
    })();
    return this.closed;
  }

  /** When the last delivery finished (ms epoch). */
  get lastFlush(): number {
    return this.lastFlushMs;
  }
}
