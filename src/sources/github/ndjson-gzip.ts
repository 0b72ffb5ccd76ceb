// Verifies a gzip NDJSON stream while it passes through: the whole gzip must decode (CRC and length trailer
// checked by the codec: ISA-L igzip or zlib, src/codec/), lines are counted, and the first/last complete lines are kept to read created_at.
// Only buffers the current partial line, so memory stays constant whatever the file size.
import type { Transform } from 'node:stream';
import { codec } from '../../codec/index.ts';

export interface NdjsonStats {
  /** Complete lines (newline-terminated), plus a final unterminated line when it is valid JSON. */
  lines: number;
  firstCreatedAt?: string;
  lastCreatedAt?: string;
  /** The data ends with a partial line that is not valid JSON (GH Archive quirk). */
  truncatedLastLine: boolean;
  uncompressedBytes: number;
}

/** Counts lines of decompressed NDJSON chunks, keeping the first and last complete line. */
export class LineInspector {
  lines = 0;
  bytes = 0;
  private first?: Buffer;
  private last?: Buffer;
  private tail: Buffer[] = [];

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let nl = chunk.indexOf(10);
    if (nl < 0) {
      this.tail.push(chunk);
      return;
    }
    const firstComplete = this.tail.length ? Buffer.concat([...this.tail, chunk.subarray(0, nl)]) : chunk.subarray(0, nl);
    if (this.first === undefined) this.first = Buffer.from(firstComplete);
    let count = 1;
    let prevNl = -1;
    for (let j = chunk.indexOf(10, nl + 1); j >= 0; j = chunk.indexOf(10, j + 1)) {
      count++;
      prevNl = nl;
      nl = j;
    }
    this.lines += count;
    this.last = prevNl < 0 ? firstComplete : chunk.subarray(prevNl + 1, nl);
    this.tail = nl + 1 < chunk.length ? [chunk.subarray(nl + 1)] : [];
  }

  finish(): NdjsonStats {
    let truncatedLastLine = false;
    let lines = this.lines;
    const rest = Buffer.concat(this.tail);
    if (rest.toString('utf8').trim() !== '') {
      try {
        JSON.parse(rest.toString('utf8'));
        lines++;
        this.last = rest;
        if (this.first === undefined) this.first = rest;
      } catch {
        truncatedLastLine = true;
      }
    }
    return {
      lines,
      firstCreatedAt: createdAtOf(this.first),
      lastCreatedAt: createdAtOf(this.last),
      truncatedLastLine,
      uncompressedBytes: this.bytes,
    };
  }
}

function createdAtOf(line: Buffer | undefined): string | undefined {
  if (!line || line.length === 0) return undefined;
  try {
    const v = (JSON.parse(line.toString('utf8')) as { created_at?: unknown }).created_at;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A gunzip + LineInspector fed with compressed chunks. A corrupt stream does not throw on write: the error is kept
 * (`error`) and further chunks are ignored, so the caller can finish receiving the bytes (to quarantine them).
 */
export class GzipNdjsonVerifier {
  readonly inspector = new LineInspector();
  error?: Error;
  private readonly gunzip: Transform;
  private readonly ended: Promise<void>;

  constructor() {
    this.gunzip = codec().createGunzip({ chunkSize: 128 * 1024 });
    this.gunzip.on('data', (c: Buffer) => this.inspector.push(c));
    this.ended = new Promise((resolve) => {
      this.gunzip.once('end', resolve);
      this.gunzip.once('error', (e) => {
        this.error ??= e;
        resolve();
      });
    });
  }

  /** Writes a compressed chunk; resolves when the gunzip can take more (or the stream has failed). */
  async write(chunk: Buffer): Promise<void> {
    if (this.error) return;
    if (this.gunzip.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.gunzip.off('drain', done);
        this.gunzip.off('error', done);
        resolve();
      };
      this.gunzip.once('drain', done);
      this.gunzip.once('error', done);
    });
  }

  /** Ends the stream; returns the stats, or throws the gzip error (e.g. "unexpected end of file"). */
  async end(): Promise<NdjsonStats> {
    if (!this.error) this.gunzip.end();
    await this.ended;
    if (this.error) throw this.error;
    return this.inspector.finish();
  }

  destroy(): void {
    this.gunzip.destroy();
  }
}
