// `eventlake unzip`: the seed's procedure (zip -> nested folders -> gunzip every .gz -> one .json each, all moved into
// one folder) done in one streamed pass: each entry is read from the zip with random access, inflated and written as
// NDJSON `<projectId>_<yyyy-MM-dd>_<H>#<n>.json` (the seed's names), several entries in parallel. Every entry is
// validated before the first byte is written, output is staged in a hidden folder and moved into place only when
// every entry inflated cleanly, so a hostile or broken zip leaves nothing behind.
import { createWriteStream, promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { EventlakeError } from '../../core/errors.ts';
import { mapLimit } from '../../core/retry.ts';
import { ExportZip, type ZipLimits } from './zip-entries.ts';
import { codec } from '../../codec/index.ts';
import { allocatedBuffers } from './young-gc.ts';

export interface UnzipOptions {
  zip: string;
  outDir: string;
  concurrency?: number;
  limits: ZipLimits;
  onFile?: (f: UnzippedFile) => void;
}

export interface UnzippedFile {
  entry: string;
  file: string;
  gzBytes: number;
  bytes: number;
}

export interface UnzipSummary {
  zip: string;
  outDir: string;
  files: UnzippedFile[];
  gzBytes: number;
  bytes: number;
}

const STEP = 'unzip';
// Every read and inflated chunk is a new buffer (3 GB of them for a 2M-event export) that lives until the next GC
// (young-gc.ts asks for one every 8 MiB); bigger chunks also fault in more fresh pages (system CPU) as they are written.
// Measured with isal on the 2M-event export (`eventlake unzip`, peak RSS / user+sys CPU s): 128 KiB inflate + 64 KiB
// read chunks 151-167 MB / 5.7 s; 256 + 256 KiB 200 MB / 6.1 s; 1 MiB + 256 KiB 209 MB / 6.5 s; 64 + 64 KiB 141 MB /
// 6.6 s. (zlib, before the young GCs: 128 + 64 KiB 156-160 MB / 4.9 s user.)
const INFLATE_CHUNK = 128 * 1024;
const READ_CHUNK = 64 * 1024;
// With the isal codec one thread inflates every entry, one chunk at a time, and the writes run on the libuv pool: the
// thread must not wait for them. Up to 512 KiB of output per file may wait to be written (several chunks go out as one
// writev), and one entry more than there are CPUs is open at a time. Measured on the 2M-event export, 2 CPUs (wall s /
// peak RSS, 3 runs, shared machine): 2 entries + 16 KiB (the fs default) 6.5-8.4 s / 157 MB; 3 + 512 KiB 5.0-5.6 s /
// 155 MB; 4 + 1 MiB 5.2-6.3 s / 170 MB.
const WRITE_BUFFER = 512 * 1024;
const defaultConcurrency = () => Math.max(3, availableParallelism() + 1);

export async function unzipExport(o: UnzipOptions): Promise<UnzipSummary> {
  try {
    await fs.access(o.zip);
  } catch (cause) {
    throw new EventlakeError(`zip not found: ${o.zip}`, { step: STEP, code: 'NOT_FOUND', cause });
  }
  const zip = await ExportZip.open(o.zip, { step: STEP, limits: o.limits });
  await fs.mkdir(o.outDir, { recursive: true });
  const stage = join(o.outDir, `.eventlake-unzip-${randomBytes(5).toString('hex')}`);
  await fs.mkdir(stage);
  try {
    const files = await mapLimit(zip.entries, o.concurrency ?? defaultConcurrency(), async (ce) => {
      const outName = ce.name.baseName.replace(/\.gz$/, '');
      const staged = join(stage, outName);
      const gzBytes = ce.entry.uncompressedSize; // checked against the bytes read (size + CRC-32) by openStream
      let bytes = 0;
      const label = `${basename(o.zip)}: entry ${ce.path}`;
      const bound = new Transform({
        transform(c: Buffer, _e, cb) {
          bytes += c.length;
          allocatedBuffers(c.length);
          if (bytes > o.limits.maxEntryBytes || (bytes > 1_048_576 && bytes / Math.max(1, gzBytes) > o.limits.maxCompressionRatio)) {
            return cb(new EventlakeError(`${label}: inflates beyond the zip-bomb bounds (${bytes} bytes from ${gzBytes})`, { step: STEP, code: 'ZIP_BOMB', context: { zip: o.zip, entry: ce.path } }));
          }
          cb(null, c);
        },
      });
      try {
        await pipeline(await zip.openStream(ce, READ_CHUNK), codec().createGunzip({ chunkSize: INFLATE_CHUNK }), bound, createWriteStream(staged, { highWaterMark: WRITE_BUFFER }));
      } catch (err) {
        if (err instanceof EventlakeError && err.code === 'ZIP_BOMB') throw err;
        const e = err as NodeJS.ErrnoException;
        if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
          throw new EventlakeError(`${label}: not a valid gzip stream (${e.message}); nothing was written to ${o.outDir}`, { step: STEP, code: 'GZIP_CORRUPT', context: { zip: o.zip, entry: ce.path }, cause: err });
        }
        throw zip.entryError(ce, err);
      }
      return { entry: ce.path, file: join(o.outDir, outName), gzBytes, bytes };
    });
    for (const f of files) await fs.rename(join(stage, basename(f.file)), f.file);
    for (const f of files) o.onFile?.(f);
    return { zip: o.zip, outDir: o.outDir, files, gzBytes: files.reduce((s, f) => s + f.gzBytes, 0), bytes: files.reduce((s, f) => s + f.bytes, 0) };
  } finally {
    zip.close();
    await fs.rm(stage, { recursive: true, force: true });
  }
}
