// Delivery of one sealed WAL segment to the lake: transform every record, gzip the results per arrival hour, and
// write each file under a key derived only from (WAL id, segment number, hour). The same segment always yields the
// same keys and contents, and keys are written with ifNotExists, so a replay after a crash skips what already
// landed: every acknowledged record lands exactly once.
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storage } from '../core/storage.ts';
import { EventlakeError } from '../core/errors.ts';
import { LakeLayout, pad2, type LakePrefixes } from '../lake/layout.ts';
import type { BatchTransform, TransformInput } from './transform.ts';
import type { RecordOutcome } from './firehose-transform.ts';
import { readSegment } from './wal.ts';
import { codec } from '../codec/index.ts';

/** Where and how a segment is turned into files: plain data, so a worker thread can do the CPU-heavy part. */
export interface BuildSpec {
  segPath: string;
  seq: number;
  walId: string;
  prefixes: LakePrefixes;
  source: string;
  prefixStyle: 'hive' | 'firehose';
  errorPrefix: string;
  gzipLevel: number;
  tmpDir: string;
  /** Check each WAL entry's CRC (false only when the segment's entries are known whole: Segment.writeFailed). */
  checkCrc: boolean;
  /**
   * The transform is the built-in GitHub one, so an entry marked at ingest as passing it unchanged (passesGithub) is
   * appended without inflating or transforming it: the transform would return every record as it is.
   */
  trustGithubVerdict: boolean;
}

/** Files built from one segment (gzip in tmpDir), not yet in the lake. */
export interface Built {
  ok: number;
  dropped: number;
  failed: number;
  files: { key: string; tmp: string }[];
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
export function deliveryKey(t: Pick<BuildSpec, 'source' | 'prefixStyle' | 'errorPrefix' | 'walId'> & { layout: LakeLayout }, seq: number, arrivalMs: number, kind: 'ok' | 'failed'): string {
  const h = hourParts(arrivalMs);
  const name = fileName(t.walId, seq);
  const part = t.prefixStyle === 'hive' ? `dt=${h.dt}/hour=${pad2(h.hour)}/` : `${h.y}/${h.m}/${h.d}/${pad2(h.hour)}/`;
  if (kind === 'ok') return t.prefixStyle === 'hive' ? t.layout.rawKey(t.source, h.dt, h.hour, name) : `${t.layout.prefixes.raw}/${t.source}/${part}${name}`;
  return `${t.errorPrefix}/${t.source}/processing-failed/${part}${name}`;
}

/**
 * A delivered file under construction: a series of whole gzip members (a valid .gz: readers treat concatenated members
 * as one stream). Members come as they are from gzip WAL entries, or compressed here from transformed records.
 */
class MemberFile {
  private fh?: Promise<FileHandle>;
  constructor(
    readonly key: string,
    readonly tmp: string,
  ) {}
  /** Appends whole gzip members; `member` may be reused once this resolves. */
  async write(member: Uint8Array): Promise<void> {
    const fh = await (this.fh ??= fs.open(this.tmp, 'w'));
    let off = 0;
    while (off < member.length) off += (await fh.write(member, off, member.length - off)).bytesWritten;
  }
  async end(): Promise<void> {
    await (await this.fh)?.close();
  }
}

/** Record ids are needed only for failed records (and Lambda-style transforms): built on first read. */
class Input implements TransformInput {
  private id?: string;
  constructor(
    private readonly prefix: string,
    private readonly index: number,
    readonly arrivalMs: number,
    readonly data: Buffer,
  ) {}
  get recordId(): string {
    return (this.id ??= this.prefix + this.index);
  }
}

// The per-record work lives in small synchronous functions, not in the async buildSegmentFiles: V8 optimises and
// keeps them on their own, while the big async function deoptimises at every segment's end (code it had not run
// yet) and each re-optimisation with the transform inlined cost ~100 ms of compiler time (--trace-opt).

function chunkInputs(records: Buffer[], c: number, prefix: string, arrivalMs: number): TransformInput[] {
  const n = Math.min(TRANSFORM_CHUNK, records.length - c);
  const inputs: TransformInput[] = new Array(n);
  for (let i = 0; i < n; i++) inputs[i] = new Input(prefix, c + i, arrivalMs, records[c + i]!);
  return inputs;
}

/**
 * Counts a chunk's outcomes into res and returns its bytes per file: one buffer per file per chunk (one compressor
 * write; a write per record costs more than the copy), with the newline that in-process transforms leave to us.
 */
function collectOutcomes(inputs: TransformInput[], outs: RecordOutcome[], res: Built): { ok?: Buffer; failed?: Buffer } {
  let okBytes = 0;
  let failedLines: string[] | undefined;
  for (let i = 0; i < inputs.length; i++) {
    const o = outs[i]!;
    if (o.result === 'Ok') {
      res.ok++;
      okBytes += o.data!.length + (o.newline && o.data![o.data!.length - 1] !== 10 ? 1 : 0);
    } else if (o.result === 'Dropped') {
      res.dropped++;
    } else {
      res.failed++;
      const r = inputs[i]!;
      // Firehose's processing-failed record shape (deterministic: no attempt timestamp).
      (failedLines ??= []).push(JSON.stringify({ attemptsMade: 1, arrivalTimestamp: r.arrivalMs, errorCode: 'Lambda.ProcessingFailed', errorMessage: o.errorMessage ?? 'ProcessingFailed', recordId: r.recordId, rawData: r.data.toString('base64') }) + '\n');
    }
  }
  let ok: Buffer | undefined;
  if (okBytes > 0) {
    ok = Buffer.allocUnsafe(okBytes);
    let p = 0;
    for (let i = 0; i < outs.length; i++) {
      const o = outs[i]!;
      if (o.result !== 'Ok') continue;
      p += o.data!.copy(ok, p);
      if (o.newline && o.data![o.data!.length - 1] !== 10) ok[p++] = 10;
    }
  }
  return { ok, failed: failedLines ? Buffer.from(failedLines.join('')) : undefined };
}

/** True when the record's output line (data and the newline delivery adds) is exactly the input and "\n". */
function passesUnchanged(input: Buffer, o: RecordOutcome): boolean {
  if (o.result !== 'Ok') return false;
  const d = o.data!;
  const last = d.length ? d[d.length - 1] : -1;
  if (o.newline && last !== 10) return d === input || d.equals(input);
  return last === 10 && d.length === input.length + 1 && input.equals(d.subarray(0, input.length));
}

function allPassUnchanged(inputs: TransformInput[], outs: RecordOutcome[]): boolean {
  for (let i = 0; i < inputs.length; i++) if (!passesUnchanged(inputs[i]!.data, outs[i]!)) return false;
  return true;
}

/**
 * Reads a sealed segment, transforms every record and writes one gzip file per (kind, arrival hour) in tmpDir. A gzip
 * WAL entry whose records all pass unchanged (the default transform's common case) is appended as it is: its member
 * already holds exactly those lines. Anything else is compressed here, one member per chunk of records.
 */
export async function buildSegmentFiles(spec: BuildSpec, transform: BatchTransform): Promise<Built> {
  const t = { ...spec, layout: new LakeLayout(spec.prefixes) };
  const res: Built = { ok: 0, dropped: 0, failed: 0, files: [] };
  const writers = new Map<string, MemberFile>();
  const writer = (key: string) => {
    let w = writers.get(key);
    if (!w) {
      w = new MemberFile(key, join(spec.tmpDir, `${spec.walId}-${spec.seq}-${writers.size}.gz.tmp`));
      writers.set(key, w);
    }
    return w;
  };
  // One member per chunk, compressed into a reused buffer (each write completes before the next chunk is compressed).
  let scratch = Buffer.alloc(0);
  const gzip = (b: Buffer): Buffer => {
    if (scratch.length < b.length + 1024) scratch = Buffer.allocUnsafe(Math.max(b.length + 1024 + (b.length >> 10), scratch.length * 2));
    return scratch.subarray(0, codec().gzipInto(b, scratch, { level: spec.gzipLevel }));
  };
  await fs.mkdir(spec.tmpDir, { recursive: true });
  try {
    // reuse: each entry is transformed and written to its files before the next one is read.
    for await (const e of readSegment(spec.segPath, { reuse: true, checkCrc: spec.checkCrc })) {
      // Keys depend on the arrival hour only, which is the same for the whole entry.
      const okKey = deliveryKey(t, spec.seq, e.arrivalMs, 'ok');
      const failedKey = deliveryKey(t, spec.seq, e.arrivalMs, 'failed');
      const writeChunk = async (inputs: TransformInput[], outs: RecordOutcome[]) => {
        const { ok, failed } = collectOutcomes(inputs, outs, res);
        if (ok) await writer(okKey).write(gzip(ok));
        if (failed) await writer(failedKey).write(gzip(failed));
      };
      if (e.member && e.passesGithub && spec.trustGithubVerdict) {
        res.ok += e.count;
        await writer(okKey).write(e.member);
        continue;
      }
      const prefix = `${spec.walId}-${spec.seq}-${e.offset}-`;
      // Chunks that passed unchanged, held back while the entry's member may still be used as it is.
      let held: { inputs: TransformInput[]; outs: RecordOutcome[] }[] | undefined = e.member ? [] : undefined;
      for (let c = 0; c < e.records.length; c += TRANSFORM_CHUNK) {
        const inputs = chunkInputs(e.records, c, prefix, e.arrivalMs);
        const outs = await transform(inputs);
        if (held && allPassUnchanged(inputs, outs)) {
          held.push({ inputs, outs });
          continue;
        }
        for (const h of held ?? []) await writeChunk(h.inputs, h.outs);
        held = undefined;
        await writeChunk(inputs, outs);
      }
      if (held?.length) {
        for (const h of held) res.ok += h.inputs.length;
        await writer(okKey).write(e.member!);
      }
    }
    for (const w of writers.values()) await w.end();
    res.files = [...writers.values()].map((w) => ({ key: w.key, tmp: w.tmp }));
    return res;
  } catch (e) {
    await Promise.all([...writers.values()].map(async (w) => {
      await w.end().catch(() => undefined);
      await fs.rm(w.tmp, { force: true });
    }));
    throw e;
  }
}

/** Moves built files into the lake, write-once: a key that exists already landed before a crash and is skipped. */
export async function publishBuilt(storage: Storage, seq: number, built: Built): Promise<DeliveryResult> {
  const res: DeliveryResult = { ok: built.ok, dropped: built.dropped, failed: built.failed, files: [], skipped: [], bytes: 0 };
  try {
    for (const f of built.files) {
      try {
        const put = await storage.putFile(f.key, f.tmp, { ifNotExists: true, contentType: 'application/gzip' });
        res.files.push(f.key);
        res.bytes += put.size;
      } catch (e) {
        if (e instanceof EventlakeError && e.code === 'EXISTS') res.skipped.push(f.key);
        else throw new EventlakeError(`delivery of WAL segment ${seq} to ${f.key} failed: ${(e as Error).message}`, { step: 'collector.deliver', retryable: true, cause: e, context: { key: f.key, segment: seq } });
      }
    }
    return res;
  } finally {
    await Promise.all(built.files.map((f) => fs.rm(f.tmp, { force: true })));
  }
}
