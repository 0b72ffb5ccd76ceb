// The gzip/deflate codec contract. Every byte the lake inflates or deflates in bulk (export zips, raw .json.gz
// checks, unzip, collector WAL and delivery) goes through one of these, so the fast native codec (ISA-L igzip) and
// Node's zlib are interchangeable and pass the same contract tests (test/codec/codec.contract.test.ts).
import type { Transform } from 'node:stream';

export type CodecName = 'isal' | 'zlib';

/**
 * Errors from a codec carry zlib's codes, whichever implementation raised them, so callers test one thing:
 * `Z_DATA_ERROR` = corrupt data (bad header, bad block, CRC/length trailer mismatch, bytes after the last member),
 * `Z_BUF_ERROR` = the input ended early (truncated stream).
 */
export type CodecErrorCode = 'Z_DATA_ERROR' | 'Z_BUF_ERROR';

export interface StreamOptions {
  /** Size of output chunks (bytes). */
  chunkSize?: number;
}

export interface DeflateOptions extends StreamOptions {
  /** 0 (fastest) .. 3 for isal; 1..9 map onto the nearest level each codec has. */
  level?: number;
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
  deflateRawSync(data: Uint8Array, o?: DeflateOptions): Buffer;
  inflateRawSync(data: Uint8Array): Buffer;
}

export function codecError(code: CodecErrorCode, message: string): Error {
  return Object.assign(new Error(message), { code });
}
