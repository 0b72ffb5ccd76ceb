// Verifies a .json.gz stream end to end while its exact bytes pass through unchanged: sha256 of the gzip bytes,
// inflate to check the gzip CRC/length trailer (truncation and corruption are detected), count NDJSON lines,
// and stop inflation bombs (inflated size and ratio bounds).
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { codec } from '../../codec/index.ts';
import type { LineCount } from '../../codec/contract.ts';
import { EventlakeError } from '../../core/errors.ts';

export interface GzipCheckResult {
  bytes: number;
  sha256: string;
  events: number;
  inflatedBytes: number;
}

export interface GzipCheckOptions {
  step: string;
  /** Named in errors, e.g. "export.zip: 187520/187520_2026-11-01_5#0.json.gz". */
  label: string;
  context?: Record<string, unknown>;
  maxInflatedBytes: number;
  maxRatio: number;
}

const NL = 10;

/**
 * A pass-through Transform that checks the gzip stream flowing through it; result() after it finished.
 * The inflate runs in the codec's counting gunzip (isal: on the libuv pool, so the entries being landed inflate in
 * parallel while this thread hashes and writes; nothing inflated comes back to JS). One chunk inflates while the next
 * is hashed and passed on.
 */
export function gzipCheck(o: GzipCheckOptions): { tap: Transform; result: () => GzipCheckResult } {
  const hash = createHash('sha256');
  const counter = codec().createGunzipCounter({ maxBytes: o.maxInflatedBytes });
  let bytes = 0;
  let counted: LineCount = { bytes: 0, newlines: 0, lastByte: -1 };
  let failure: Error | undefined;
  let inflight: Promise<void> | undefined;
  const problem = (why: string, cause?: unknown) =>
    new EventlakeError(`${o.label}: ${why}`, { step: o.step, code: 'GZIP_CORRUPT', context: o.context, cause });
  const bomb = () =>
    new EventlakeError(
      `${o.label}: inflates beyond the zip-bomb bounds (${counted.bytes} bytes from ${bytes}; amplitude.maxEntryBytes / maxCompressionRatio)`,
      { step: o.step, code: 'ZIP_BOMB', context: o.context },
    );
  const fail = (e: NodeJS.ErrnoException) => {
    failure ??= e.code === 'LIMIT' ? bomb() : problem(`not a valid gzip stream (${e.message})`, e);
  };
  const took = (t: LineCount) => {
    counted = t;
    if (t.bytes > 1_048_576 && t.bytes / Math.max(1, bytes) > o.maxRatio) failure ??= bomb();
  };
  // Never rejects: a failure is kept and reported by the next transform() or flush().
  const inflate = (chunk: Buffer) => (inflight = counter.write(chunk).then(took, fail));

  const tap = new Transform({
    highWaterMark: 256 * 1024, // compressed bytes: small buffers keep peak RSS low
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (failure) return cb(failure);
      bytes += chunk.length;
      hash.update(chunk);
      this.push(chunk);
      if (!inflight) {
        inflate(chunk);
        return cb();
      }
      void inflight.then(() => {
        if (failure) return cb(failure);
        inflate(chunk);
        cb();
      });
    },
    flush(cb: TransformCallback) {
      void (inflight ?? Promise.resolve()).then(async () => {
        if (failure) return cb(failure);
        if (bytes === 0) return cb(problem('empty file (0 bytes), not a gzip stream'));
        try {
          took(await counter.end()); // the last member's trailer (CRC-32 + length) checked out
        } catch (e) {
          fail(e as NodeJS.ErrnoException);
        }
        cb(failure);
      });
    },
  });

  let digest: string | undefined;
  return {
    tap,
    result: () => ({ bytes, sha256: (digest ??= hash.digest('hex')), events: counted.newlines + (counted.lastByte !== -1 && counted.lastByte !== NL ? 1 : 0), inflatedBytes: counted.bytes }),
  };
}
