// PutRecordBatch's ack path without intermediate copies or garbage: the base64 Data of each record is decoded
// from the request body straight into its place in one (pooled) WAL entry: no per-record Buffer, no second copy
// into the entry, no per-record string. Per-record checks that are cheap up front happen here: length limit and
// base64 validity. The decoding itself is native/base64 (via native-base64.ts) when built, reading the body's bytes in
// place; else Node's decoder through latin1 strings.
// Everything else (JSON validity, the GitHub schema) is the transform's job at delivery.
import type { ScannedBatch } from './batch-body.ts';
import type { BufferPool } from './buffer-pool.ts';
import { entrySize, entryTableOffset, finishEntry, linesEntrySize } from './wal.ts';
import { nativeDecodeSpans } from './native-base64.ts';

export interface RecordFailure {
  code: string;
  message: string;
}

export interface DecodedBatch {
  /** The WAL entry holding the good records in input order; undefined when none is good. */
  entry?: Buffer;
  /** Good records (in the entry). */
  count: number;
  /** Their payload bytes. */
  rawBytes: number;
  /** Failure of input record i (undefined: stored); undefined when every record is good. */
  failures?: (RecordFailure | undefined)[];
  /** The pooled buffer the entry lives in: give it back once the entry is written. */
  backing?: Buffer;
}

const EQ = 0x3d; // '='
/** Bytes of body read into one string (below V8's 128 KB large-object limit: young generation). */
const TEXT_GROUP = 64 * 1024;
function decodedLength(body: Buffer, a: number, b: number): number {
  const len = b - a;
  if (len % 4 !== 0) return -1;
  if (len === 0) return 0;
  return (len / 4) * 3 - (body[b - 1] === EQ ? (body[b - 2] === EQ ? 2 : 1) : 0);
}

/** Upper bound of the WAL bytes a scanned batch needs (for the backpressure check before decoding). */
export function estimateEntryBytes(scan: ScannedBatch): number {
  let data = 0;
  for (let i = 0; i < scan.count; i++) data += ((scan.spans[2 * i + 1]! - scan.spans[2 * i]!) >> 2) * 3;
  return entrySize(scan.count, data);
}

/**
 * Decodes the spans with lens[i] >= 0 into dst from `off`, each followed by byte `sep` unless it is -1, marking invalid
 * ones -2; returns the end (native-base64.ts).
 */
export type SpanDecoder = (src: Uint8Array, spans: Int32Array, count: number, lens: Int32Array, dst: Uint8Array, off: number, sep: number) => number;

/** Node's decoder (the addon is not built or the CPU has no AVX2), with the addon's contract. */
export const decodeSpansWithNode: SpanDecoder = (src, spans, n, lens, dst, off, sep) => {
  const body = src instanceof Buffer ? src : Buffer.from(src.buffer, src.byteOffset, src.length);
  const entry = dst instanceof Buffer ? dst : Buffer.from(dst.buffer, dst.byteOffset, dst.length);
  // Node decodes base64 only from strings. The Data spans are read as latin1 strings of up to ~64 KB (a group of
  // neighbouring records, each decoded from a slice of it, which is a view, not a copy): young-generation strings
  // that die right away. One string of the whole body would be over 1 MB, an external string: ~1 MB of external
  // memory per request, which made V8 run a mark-compact every few requests ("GC in old space requested"); 500
  // separate 2 KB strings cost an allocation each. (A JS table decoder reading the bytes directly allocates nothing
  // but cost ~2 µs more per 1.8 KB event than Node's decoder.)
  let text = '';
  let textStart = 0;
  let textEnd = 0;
  for (let i = 0; i < n; i++) {
    const len = lens[i]!;
    if (len < 0) continue;
    const a = spans[2 * i]!;
    const b = spans[2 * i + 1]!;
    if (b > textEnd) {
      textStart = a;
      textEnd = Math.max(b, Math.min(a + TEXT_GROUP, spans[2 * n - 1]!));
      text = body.toString('latin1', a, textEnd);
    }
    // Node's decoder skips characters outside the alphabet: a short write means invalid Data.
    const written = len === 0 ? 0 : entry.write(text.substring(a - textStart, b - textStart), off, len, 'base64');
    if (written !== len) lens[i] = -2;
    else {
      off += len;
      if (sep >= 0) entry[off++] = sep;
    }
  }
  return off;
};

/** The decoder in use: the native one when it loads with its SIMD path. */
export const defaultSpanDecoder: SpanDecoder = nativeDecodeSpans ?? decodeSpansWithNode;

/**
 * The good records of a scanned body as one WAL entry: 'plain' (finished: CRC and all) or 'lines' (each record followed
 * by "\n", for the collector to gzip; see Collector.entryLayout).
 */
export function decodeBatchEntry(body: Buffer, scan: ScannedBatch, arrivalMs: number, maxRecordBytes: number, pool?: BufferPool, decodeSpans: SpanDecoder = defaultSpanDecoder, layout: 'plain' | 'lines' = 'plain'): DecodedBatch {
  const lines = layout === 'lines';
  const { count: n, spans } = scan;
  let failures: (RecordFailure | undefined)[] | undefined;
  const fail = (i: number, f: RecordFailure) => {
    failures ??= new Array<RecordFailure | undefined>(n);
    failures[i] = f;
  };
  // Pass 1: lengths from the spans alone, to size the entry.
  const lens = new Int32Array(n);
  let candidates = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const len = decodedLength(body, spans[2 * i]!, spans[2 * i + 1]!);
    lens[i] = len;
    if (len < 0) fail(i, { code: 'InvalidArgumentException', message: 'Data is not valid base64' });
    else if (len > maxRecordBytes) {
      lens[i] = -1;
      fail(i, { code: 'InvalidArgumentException', message: `record is ${len} bytes, over the ${maxRecordBytes}-byte limit` });
    } else {
      candidates++;
      total += len;
    }
  }
  if (candidates === 0) return { count: 0, rawBytes: 0, failures };
  // Pass 2: decode in place. A record that turns out invalid is overwritten by the next one.
  const size = lines ? linesEntrySize(candidates, total) : entrySize(candidates, total);
  const backing = pool ? pool.take(size) : Buffer.allocUnsafe(size);
  let entry = backing.subarray(0, size);
  const dataStart = entryTableOffset(candidates);
  const off = decodeSpans(body, spans, n, lens, entry, dataStart, lines ? 0x0a : -1);
  // The table: lengths of the good records; lens[i] === -2 marks a record whose Data did not decode.
  let good = 0;
  for (let i = 0; i < n; i++) {
    const len = lens[i]!;
    if (len >= 0) entry.writeUInt32LE(len, entryTableOffset(good++));
    else if (len === -2) fail(i, { code: 'InvalidArgumentException', message: 'Data is not valid base64' });
  }
  if (good === 0) {
    pool?.give(backing);
    return { count: 0, rawBytes: 0, failures };
  }
  const rawBytes = off - dataStart - (lines ? good : 0);
  if (good < candidates) {
    // Rare: some records were invalid base64. Close the gap between the (shorter) table and the data.
    entry.copyWithin(entryTableOffset(good), entryTableOffset(candidates), off);
    entry = entry.subarray(0, lines ? linesEntrySize(good, rawBytes) : entrySize(good, rawBytes));
  }
  return { entry: lines ? entry : finishEntry(entry, good, arrivalMs), count: good, rawBytes, failures, backing: pool ? backing : undefined };
}
