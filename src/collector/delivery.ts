// Delivery of one sealed WAL segment to the lake: transform every record, gzip the results per arrival hour, and
// write each file under a key derived only from (WAL id, segment number, hour). The same segment always yields the
// same keys and contents, and keys are written with ifNotExists, so a replay after a crash skips what already
// landed: every acknowledged record lands exactly once.
import { createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Storage } from '../core/storage.ts';
import { EventlakeError } from '../core/errors.ts';
import type { LakeLayout } from '../lake/layout.ts';
import { pad2 } from '../lake/layout.ts';
import type { BatchTransform, TransformInput } from './transform.ts';
import { readSegment, type Segment } from './wal.ts';

export interface DeliveryTarget {
  storage: Storage;
  layout: LakeLayout;
  source: string;
  prefixStyle: 'hive' | 'firehose';
  errorPrefix: string;
  gzipLevel: number;
  tmpDir: string;
  walId: string;
  transform: BatchTransform;
}

export interface DeliveryResult {
  ok: number;
  dropped: number;
  failed: number;
  files: string[];
  /** Keys that already existed (landed before a crash) and were left untouched. */
  skipped: string[];
  bytes: number;
}

const TRANSFORM_CHUNK = 500;

function hourParts(ms: number) {
  const iso = new Date(ms).toISOString();
  return { dt: iso.slice(0, 10), y: iso.slice(0, 4), m: iso.slice(5, 7), d: iso.slice(8, 10), hour: Number(iso.slice(11, 13)) };
}

export function fileName(walId: string, seq: number): string {
  return `collector-${walId}-${String(seq).padStart(10, '0')}.json.gz`;
}

/** Key of the delivered file for records that arrived in the hour of `arrivalMs`. */
export function deliveryKey(t: Pick<DeliveryTarget, 'layout' | 'source' | 'prefixStyle' | 'errorPrefix' | 'walId'>, seq: number, arrivalMs: number, kind: 'ok' | 'failed'): string {
  const h = hourParts(arrivalMs);
  const name = fileName(t.walId, seq);
  const part = t.prefixStyle === 'hive' ? `dt=${h.dt}/hour=${pad2(h.hour)}/` : `${h.y}/${h.m}/${h.d}/${pad2(h.hour)}/`;
  if (kind === 'ok') return t.prefixStyle === 'hive' ? t.layout.rawKey(t.source, h.dt, h.hour, name) : `${t.layout.prefixes.raw}/${t.source}/${part}${name}`;
  return `${t.errorPrefix}/${t.source}/processing-failed/${part}${name}`;
}

class GzipFile {
  private readonly gz: Gzip;
  private readonly done: Promise<void>;
  constructor(
    readonly key: string,
    readonly tmp: string,
    level: number,
  ) {
    this.gz = createGzip({ level });
    const out = createWriteStream(tmp);
    this.gz.pipe(out);
    this.done = finished(out);
    this.done.catch(() => undefined);
  }
  async write(buf: Buffer | string): Promise<void> {
    if (!this.gz.write(buf)) await once(this.gz, 'drain');
  }
  async end(): Promise<void> {
    this.gz.end();
    await this.done;
  }
}

export async function deliverSegment(seg: Segment, t: DeliveryTarget): Promise<DeliveryResult> {
  const res: DeliveryResult = { ok: 0, dropped: 0, failed: 0, files: [], skipped: [], bytes: 0 };
  const writers = new Map<string, GzipFile>();
  const writer = (key: string) => {
    let w = writers.get(key);
    if (!w) {
      w = new GzipFile(key, join(t.tmpDir, `${t.walId}-${seg.seq}-${writers.size}.gz.tmp`), t.gzipLevel);
      writers.set(key, w);
    }
    return w;
  };
  await fs.mkdir(t.tmpDir, { recursive: true });
  try {
    for await (const e of readSegment(seg.path)) {
      for (let c = 0; c < e.records.length; c += TRANSFORM_CHUNK) {
        const inputs: TransformInput[] = e.records.slice(c, c + TRANSFORM_CHUNK).map((data, i) => ({ recordId: `${t.walId}-${seg.seq}-${e.offset}-${c + i}`, arrivalMs: e.arrivalMs, data }));
        const outs = await t.transform(inputs);
        for (let i = 0; i < inputs.length; i++) {
          const o = outs[i]!;
          const r = inputs[i]!;
          if (o.result === 'Ok') {
            res.ok++;
            await writer(deliveryKey(t, seg.seq, r.arrivalMs, 'ok')).write(o.data!);
          } else if (o.result === 'Dropped') {
            res.dropped++;
          } else {
            res.failed++;
            // Firehose's processing-failed record shape (deterministic: no attempt timestamp).
            const line = JSON.stringify({ attemptsMade: 1, arrivalTimestamp: r.arrivalMs, errorCode: 'Lambda.ProcessingFailed', errorMessage: o.errorMessage ?? 'ProcessingFailed', recordId: r.recordId, rawData: r.data.toString('base64') });
            await writer(deliveryKey(t, seg.seq, r.arrivalMs, 'failed')).write(line + '\n');
          }
        }
      }
    }
    for (const w of writers.values()) await w.end();
    for (const w of writers.values()) {
      try {
        const put = await t.storage.putFile(w.key, w.tmp, { ifNotExists: true, contentType: 'application/gzip' });
        res.files.push(w.key);
        res.bytes += put.size;
      } catch (e) {
        if (e instanceof EventlakeError && e.code === 'EXISTS') res.skipped.push(w.key);
        else throw new EventlakeError(`delivery of WAL segment ${seg.seq} to ${w.key} failed: ${(e as Error).message}`, { step: 'collector.deliver', retryable: true, cause: e, context: { key: w.key, segment: seg.seq } });
      }
    }
    return res;
  } finally {
    await Promise.all([...writers.values()].map((w) => fs.rm(w.tmp, { force: true })));
  }
}
