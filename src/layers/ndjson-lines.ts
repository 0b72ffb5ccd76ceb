// Streams the lines of a gzipped NDJSON file as raw bytes with 1-based line numbers, in constant memory.
// Used by the per-line validation pass (only for files the fast DuckDB read rejected). A gzip error or a
// truncated stream ends the scan with `onEnd(error)` after every complete line was delivered; a partial last
// line is delivered with `truncated: true`.
import { createReadStream } from 'node:fs';
import { codec } from '../codec/index.ts';

export interface RawLine {
  line: number;
  bytes: Buffer;
  /** The stream ended (or broke) in the middle of this line: no trailing newline. */
  truncated: boolean;
}

export interface ScanResult {
  lines: number;
  /** Set when the gzip stream was corrupt or cut short. */
  gzipError?: string;
}

export async function scanGzipLines(path: string, onLine: (l: RawLine) => void | Promise<void>): Promise<ScanResult> {
  const gunzip = codec().createGunzip({ chunkSize: 1 << 18 });
  // 128 KiB reads: less peak RSS than larger ones at the same CPU (measured in models/github/lines.ts).
  const src = createReadStream(path, { highWaterMark: 1 << 17 });
  src.on('error', (e) => gunzip.destroy(e));
  src.pipe(gunzip);
  let carry: Buffer | null = null;
  let lineNo = 0;
  let gzipError: string | undefined;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = null;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(0x0a, start);
        if (nl < 0) break;
        lineNo++;
        let end = nl;
        if (end > start && buf[end - 1] === 0x0d) end--;
        await onLine({ line: lineNo, bytes: buf.subarray(start, end), truncated: false });
        start = nl + 1;
      }
      if (start < buf.length) carry = Buffer.from(buf.subarray(start));
    }
  } catch (e) {
    gzipError = (e as Error).message;
  }
  if (carry && carry.length > 0) {
    lineNo++;
    // No newline at the end: complete when the stream ended cleanly (many writers omit the last newline).
    await onLine({ line: lineNo, bytes: carry, truncated: gzipError !== undefined });
  }
  return { lines: lineNo, gzipError };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes strictly; returns undefined for invalid UTF-8. */
export function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}
