// The gzip/deflate codec contract. Every byte the lake inflates or deflates in bulk (export zips, raw .json.gz
// checks, unzip, collector WAL and delivery) goes through one of these, so the fast native codec (ISA-L igzip) and
// Node's zlib are interchangeable and pass the same contract tests (test/contract/codec.contract.ts, run by test/codec/codecs.test.ts).
import type { Transform } from 'node:stream';

export type CodecName = 'isal' | 'zlib';

/**
 * Errors from a codec carry zlib's codes, whichever implementation raised them, so callers test one thing:
 * `Z_DATA_ERROR` = corrupt data (bad header, bad block, CRC/length trailer mismatch, bytes after the last member),
 * `Z_BUF_ERROR` = the input ended early (truncated stream).
 */
export type CodecErrorCode = 'Z_DATA_ERROR' | 'Z_BUF_ERROR' | 'LIMIT';

export interface StreamOptions {
  /**
   * Size of output chunks (bytes). A stream holds one or two chunks of unread output at most: it works a chunk at a time
   * and waits for its reader, also in the middle of one large write (as node:zlib does).
   */
  chunkSize?: number;
}

export interface DeflateOptions extends StreamOptions {
  /** 0 (fastest) .. 3 for isal; 1..9 map onto the nearest level each codec has. */
  level?: number;
}

/** Totals of a counting gunzip. `lastByte` is -1 before any byte. */
export interface LineCount {
  bytes: number;
  newlines: number;
  lastByte: number;
}

/**
 * A gunzip that keeps nothing but counts (extract's check: is the stream whole, how many NDJSON lines). One write at
 * a time; the work may run off the JS thread. Errors: Z_DATA_ERROR, Z_BUF_ERROR (at end()), or `LIMIT` once more
 * than maxBytes were inflated (zip-bomb bound; checked at least every 256 KiB of output).
 */
export interface GunzipCounter {
  write(chunk: Uint8Array): Promise<LineCount>;
  end(): Promise<LineCount>;
}

export interface GzipCodec {
  readonly name: CodecName;
  /** gzip → bytes. Concatenated members are one stream (as gunzip reads them); trailers are verified. */
  createGunzip(o?: StreamOptions): Transform;
  /** Raw deflate (zip entry method 8) → bytes. */
  createInflateRaw(o?: StreamOptions): Transform;
  /** bytes → one gzip member. */
  createGzip(o?: DeflateOptions): Transform;
  gzipSync(data: Uint8Array, o?: DeflateOptions): Buffer;
  gunzipSync(data: Uint8Array): Buffer;
  /**
   * One gzip member of all of data, written at the start of out (no allocation per call: callers reuse out).
   * Returns its length. Throws LIMIT when out is too small (data.length + 1 KiB always suffices).
   */
  gzipInto(data: Uint8Array, out: Uint8Array, o?: DeflateOptions): number;
  /** gzipInto on the libuv thread pool (off the calling thread). data and out must not change until it settles. */
  gzipIntoAsync(data: Uint8Array, out: Uint8Array, o?: DeflateOptions): Promise<number>;
  /**
   * Inflates exactly one gzip member (data holds nothing after it) into out; returns the bytes written.
   * Z_DATA_ERROR for damaged data, a bad trailer or bytes after the member; Z_BUF_ERROR when truncated; LIMIT when
   * out is too small.
   */
  gunzipInto(data: Uint8Array, out: Uint8Array): number;
  deflateRawSync(data: Uint8Array, o?: DeflateOptions): Buffer;
  inflateRawSync(data: Uint8Array): Buffer;
  createGunzipCounter(o: { maxBytes: number }): GunzipCounter;
  /** The gzip/zip CRC-32, chainable: crc32(b, crc32(a)) = crc32(a + b). */
  crc32(data: Uint8Array, previous?: number): number;
}

export function codecError(code: CodecErrorCode, message: string): Error {
  return Object.assign(new Error(message), { code });
}
