// Write-ahead log of the collector: a request is acknowledged only after its records are in a WAL segment and the
// segment is fdatasync'ed. Appends are group-committed: while one write+sync is in flight, later requests queue up
// and share the next sync, so throughput grows with concurrency instead of paying one fsync per request.
//
// On disk (one folder per collector):
//   wal-id                 random id of this WAL, part of every delivered key (keys stay unique per WAL folder)
//   last-seq               highest segment number ever delivered (segment numbers are never reused)
//   seg-<16 digits>.wal    entries: [u32 bodyLen][u32 crc32(body)] body = [f64 arrivalMs][u32 n][n x u32 len][data...]
//                          or, when bit 30 of n is set (collector.walCompression: gzip, the default),
//                          [f64 arrivalMs][u32 n|2^30][n x u32 len][one gzip member of "record\n" x n]: ~5x fewer
//                          bytes for each fsync to push for JSON events, and delivery copies the member into the
//                          lake file as it is when the transform passes every record unchanged (compressed once).
//                          Bit 29 with bit 30: the collector found at ingest that the built-in GitHub transform
//                          passes every record unchanged; delivery with that transform appends the member unread.
//                          (Bit 31: raw-deflated table and data, written by earlier versions; still read.)
// A segment is "sealed" when the buffer flushes; its delivery writes deterministic keys, then the segment is deleted.
// A torn tail (kill -9 mid-write) fails its CRC/length check and is cut off: those records were never acknowledged.
import { promises as fs, constants as fsConst } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { deflateRaw } from 'node:zlib';
import { promisify } from 'node:util';
import { EventlakeError } from '../core/errors.ts';
import { codec } from '../codec/index.ts';

const HEADER = 8;
const DEFLATED = 0x80000000;
const GZIPPED = 0x40000000;
/** With GZIPPED: every record passes the built-in GitHub transform unchanged (checked at ingest; see WalEntry). */
const PASSES_GITHUB = 0x20000000;
const COUNT_MASK = 0x1fffffff;
const NL = 0x0a;
const deflateRawAsync = promisify(deflateRaw);
const SEG_RE = /^seg-(\d{16})\.wal$/;

export interface WalEntry {
  /** Byte offset of the entry in its segment (stable id of the batch). */
  offset: number;
  arrivalMs: number;
  records: Buffer[];
  /** A gzip entry's member: its records, each followed by "\n", ready to be appended to a .gz file as they are. */
  member?: Buffer;
  /** Number of records (records.length, without inflating a gzip entry). */
  count: number;
  /**
   * Every record passes the built-in GitHub transform unchanged (found at ingest, by the same pure function the
   * transform uses): with that transform, delivery may append `member` without reading `records`.
   */
  passesGithub: boolean;
}

export class Segment {
  size = 0;
  /** Payload bytes before WAL compression (the buffering hint counts these, like Firehose's SizeInMBs). */
  rawBytes = 0;
  records = 0;
  /** Arrival time of the first record (for the interval trigger). */
  firstArrivalMs = 0;
  sealed = false;
  /**
   * Some write to this segment failed (it may end in a torn entry): its reader must check every entry's CRC. Else
   * each entry is known whole: written in full by this process, or checked entry by entry (and the torn tail cut)
   * by Wal.open(), so delivery need not pay for a second CRC pass over every byte.
   */
  writeFailed = false;
  fh?: fs.FileHandle;
  pending = 0;
  private resolveDurable!: () => void;
  /** Resolves when the segment is sealed and every queued write to it is on disk. */
  readonly durable: Promise<void>;
  constructor(
    readonly seq: number,
    readonly path: string,
  ) {
    this.durable = new Promise((r) => (this.resolveDurable = r));
  }
  markDurable(): void {
    this.resolveDurable();
  }
}

interface QueuedWrite {
  seg: Segment;
  buf: Buffer;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export function segmentName(seq: number): string {
  return `seg-${String(seq).padStart(16, '0')}.wal`;
}

/** Bytes of a plain entry of n records holding dataLen payload bytes. */
export function entrySize(n: number, dataLen: number): number {
  return HEADER + 12 + 4 * n + dataLen;
}

/** Offset of record i's length in a plain entry's table; the data follows the table of n lengths. */
export const entryTableOffset = (i: number) => HEADER + 12 + 4 * i;

/** Writes arrival time, record count, body length and CRC of a plain entry whose table and data are filled in. */
export function finishEntry(buf: Buffer, n: number, arrivalMs: number): Buffer {
  buf.writeUInt32LE(buf.length - HEADER, 0);
  buf.writeDoubleLE(arrivalMs, HEADER);
  buf.writeUInt32LE(n, HEADER + 8);
  buf.writeUInt32LE(codec().crc32(buf.subarray(HEADER)), 4);
  return buf;
}

/**
 * Bytes of a "lines" entry: a plain entry's header and table, but each record followed by "\n" in the data. Not written
 * to the WAL as it is: gzipLinesEntry() compresses its data into a gzip entry.
 */
export function linesEntrySize(n: number, dataLen: number): number {
  return entrySize(n, dataLen + n);
}

/** Room a gzip entry built from a lines entry of `size` bytes may need (the codec's worst case for stored data). */
export function gzipEntryBound(linesSize: number): number {
  return linesSize + 1024 + (linesSize >>> 10);
}

/**
 * Where a lines entry's data is compressed to: the data of `lines` (n records) and the region of `out` (at least
 * gzipEntryBound(lines.length) bytes) that receives its gzip member. finishGzipEntry() then completes the entry.
 */
export function gzipEntryRegions(lines: Buffer, n: number, out: Buffer): { data: Buffer; member: Buffer } {
  const dataStart = entryTableOffset(n);
  return { data: lines.subarray(dataStart), member: out.subarray(dataStart) };
}

/**
 * Completes a gzip entry in `out` whose member (memberLen bytes) is in place: table from `lines`, header, CRC.
 * Returns the view of out holding the entry.
 */
export function finishGzipEntry(lines: Buffer, n: number, arrivalMs: number, out: Buffer, memberLen: number, passesGithub: boolean): Buffer {
  if (n > COUNT_MASK) throw new EventlakeError(`a WAL entry holds at most ${COUNT_MASK} records (got ${n})`, { step: 'collector.wal' });
  const dataStart = entryTableOffset(n);
  lines.copy(out, HEADER + 12, HEADER + 12, dataStart); // the table
  const size = dataStart + memberLen;
  out.writeUInt32LE(size - HEADER, 0);
  out.writeDoubleLE(arrivalMs, HEADER);
  out.writeUInt32LE((n | GZIPPED | (passesGithub ? PASSES_GITHUB : 0)) >>> 0, HEADER + 8);
  out.writeUInt32LE(codec().crc32(out.subarray(HEADER, size)), 4);
  return out.subarray(0, size);
}

/** A gzip entry built from a lines entry on the calling thread (see gzipEntryRegions / finishGzipEntry). */
export function gzipLinesEntry(lines: Buffer, n: number, arrivalMs: number, out: Buffer, level = 1, passesGithub = false): Buffer {
  const { data, member } = gzipEntryRegions(lines, n, out);
  return finishGzipEntry(lines, n, arrivalMs, out, codec().gzipInto(data, member, { level }), passesGithub);
}

/** A lines entry of these records (each gets its "\n"). */
export function encodeLinesEntry(records: Buffer[]): Buffer {
  return tableAndData(records, true);
}

/** A buffer with the record table filled in and the records after it (each followed by "\n" when `lines`). */
function tableAndData(records: Buffer[], lines: boolean): Buffer {
  let dataLen = 0;
  for (const r of records) dataLen += r.length;
  const buf = Buffer.allocUnsafe(lines ? linesEntrySize(records.length, dataLen) : entrySize(records.length, dataLen));
  let p = entryTableOffset(0);
  for (const r of records) {
    buf.writeUInt32LE(r.length, p);
    p += 4;
  }
  for (const r of records) {
    p += r.copy(buf, p);
    if (lines) buf[p++] = NL;
  }
  return buf;
}

/** A gzip entry of these records. */
export function encodeGzipEntry(records: Buffer[], arrivalMs: number): Buffer {
  const lines = encodeLinesEntry(records);
  return Buffer.from(gzipLinesEntry(lines, records.length, arrivalMs, Buffer.allocUnsafe(gzipEntryBound(lines.length))));
}

export function encodeEntry(records: Buffer[], arrivalMs: number): Buffer {
  return finishEntry(tableAndData(records, false), records.length, arrivalMs);
}

/** Arrival time written in an entry (plain or deflated). */
export function entryArrivalMs(entry: Buffer): number {
  return entry.readDoubleLE(HEADER);
}

function packEntry(plain: Buffer, packed: Buffer): Buffer {
  const arrivalMs = plain.readDoubleLE(HEADER);
  const n = plain.readUInt32LE(HEADER + 8);
  const buf = Buffer.allocUnsafe(HEADER + 12 + packed.length);
  buf.writeUInt32LE(12 + packed.length, 0);
  buf.writeDoubleLE(arrivalMs, HEADER);
  buf.writeUInt32LE((n | DEFLATED) >>> 0, HEADER + 8);
  packed.copy(buf, HEADER + 12);
  buf.writeUInt32LE(codec().crc32(buf.subarray(HEADER)), 4);
  return buf;
}

/** An entry in the raw-deflate format earlier versions wrote (tests check such WALs still replay). */
export async function encodeEntryDeflated(records: Buffer[], arrivalMs: number): Promise<Buffer> {
  const plain = encodeEntry(records, arrivalMs);
  return packEntry(plain, await deflateRawAsync(plain.subarray(HEADER + 12), { level: 1 }));
}

/** Reusable scratch for inflating gzip entries (one per reader; grows to the largest entry). */
class Scratch {
  buf = Buffer.alloc(0);
  take(n: number, reuse: boolean): Buffer {
    if (!reuse || this.buf.length < n) this.buf = Buffer.allocUnsafe(reuse ? Math.max(n, this.buf.length * 2) : n);
    return this.buf;
  }
}

type Decoded = Omit<WalEntry, 'offset'>;

function decodeBody(body: Buffer, scratch: Scratch, reuse: boolean): Decoded | undefined {
  if (body.length < 12) return undefined;
  const arrivalMs = body.readDoubleLE(0);
  const word = body.readUInt32LE(8);
  if (word & GZIPPED && !(word & DEFLATED)) return decodeGzipBody(body, arrivalMs, word & COUNT_MASK, (word & PASSES_GITHUB) !== 0, scratch, reuse);
  const n = word & ~DEFLATED;
  let table = body;
  let base = 12;
  if (word & DEFLATED) {
    try {
      table = codec().inflateRawSync(body.subarray(12));
    } catch {
      return undefined;
    }
    base = 0;
  }
  let p = base + 4 * n;
  if (p > table.length) return undefined;
  const records: Buffer[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const len = table.readUInt32LE(base + 4 * i);
    if (p + len > table.length) return undefined;
    records[i] = table.subarray(p, p + len);
    p += len;
  }
  return p === table.length ? { arrivalMs, records, count: n, passesGithub: false } : undefined;
}

/**
 * A gzip entry. Its records are inflated on first use (a delivery that appends the member unread never pays for it);
 * the member must hold exactly the table's records and newlines (gzip's CRC checks the bytes), else `records` throws
 * a WalCorruptError. The WAL CRC, checked before, already covers the whole entry.
 */
function decodeGzipBody(body: Buffer, arrivalMs: number, n: number, passesGithub: boolean, scratch: Scratch, reuse: boolean): Decoded | undefined {
  const memberStart = 12 + 4 * n;
  if (memberStart > body.length) return undefined;
  const member = body.subarray(memberStart);
  let records: Buffer[] | undefined;
  const inflate = (): Buffer[] => {
    let total = 0;
    for (let i = 0; i < n; i++) total += body.readUInt32LE(12 + 4 * i) + 1;
    const out = scratch.take(total, reuse);
    let got = -1;
    try {
      got = codec().gunzipInto(member, out);
    } catch (e) {
      throw new WalCorruptError(`its gzip member does not inflate: ${(e as Error).message}`);
    }
    if (got !== total) throw new WalCorruptError(`its gzip member holds ${got} bytes, its table says ${total}`);
    const recs: Buffer[] = new Array(n);
    let p = 0;
    for (let i = 0; i < n; i++) {
      const len = body.readUInt32LE(12 + 4 * i);
      if (out[p + len] !== NL) throw new WalCorruptError(`record ${i} of its gzip member is not followed by a newline`);
      recs[i] = out.subarray(p, p + len);
      p += len + 1;
    }
    return recs;
  };
  return {
    arrivalMs,
    member,
    count: n,
    passesGithub,
    get records() {
      return (records ??= inflate());
    },
  };
}

/** A WAL entry whose CRC is right but whose content is not what its header says (never written by this code). */
export class WalCorruptError extends EventlakeError {
  constructor(what: string) {
    super(`corrupt WAL entry: ${what}`, { step: 'collector.wal', code: 'WAL_CORRUPT' });
  }
}

/** Bytes read from a segment at once: one read serves several entries (a batch of 500 events is ~1 MB). */
const READ_BLOCK = 4 * 1024 * 1024;

/**
 * Reads the valid entries of a segment file in order; stops at the first torn/corrupt entry. The file is read in
 * blocks of READ_BLOCK bytes. With `reuse`, one block buffer serves the whole file: an entry's records are valid only
 * until the loop asks for the next entry (delivery handles an entry completely first; no megabyte of fresh external
 * memory per block for the GC to account for). `checkCrc: false` (only for a segment whose entries are known whole,
 * see Segment.writeFailed) skips the CRC pass; lengths and the record table are still checked.
 */
export async function* readSegment(path: string, opts: { reuse?: boolean; checkCrc?: boolean } = {}): AsyncGenerator<WalEntry & { end: number }> {
  const checkCrc = opts.checkCrc ?? true;
  const scratch = new Scratch();
  const fh = await fs.open(path, 'r');
  try {
    const { size } = await fh.stat();
    let buf = Buffer.alloc(0);
    let bufPos = 0; // file offset of buf[0]
    let bufLen = 0; // valid bytes in buf
    /** Makes [pos, pos + len) of the file available in buf; false when the file is shorter. */
    const have = async (pos: number, len: number): Promise<boolean> => {
      if (pos >= bufPos && pos + len <= bufPos + bufLen) return true;
      const want = Math.min(Math.max(len, READ_BLOCK), size - pos);
      if (want < len) return false;
      if (!opts.reuse || buf.length < want) buf = Buffer.allocUnsafe(opts.reuse ? Math.max(want, READ_BLOCK) : want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      bufPos = pos;
      bufLen = got;
      return got >= len;
    };
    let pos = 0;
    while (pos + HEADER <= size) {
      if (!(await have(pos, HEADER))) return;
      const bodyLen = buf.readUInt32LE(pos - bufPos);
      const crc = buf.readUInt32LE(pos - bufPos + 4);
      if (pos + HEADER + bodyLen > size) return;
      if (!(await have(pos, HEADER + bodyLen))) return;
      const start = pos - bufPos + HEADER;
      const body = buf.subarray(start, start + bodyLen);
      if (checkCrc && codec().crc32(body) !== crc) return;
      const dec = decodeBody(body, scratch, opts.reuse === true);
      if (!dec) return;
      const end = pos + HEADER + bodyLen;
      yield Object.assign(dec, { offset: pos, end }); // not a spread: it would run the lazy records getter
      pos = end;
    }
  } finally {
    await fh.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, fsConst.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeFileDurably(dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, join(dir, name));
  await fsyncDir(dir);
}

export class Wal {
  walId = '';
  /** Bytes acknowledged or queued and not yet delivered (the buffer fill). */
  bytes = 0;
  private current?: Segment;
  private nextSeq = 1;
  private queue: QueuedWrite[] = [];
  private writing = false;
  private broken?: Error;
  private idle: (() => void)[] = [];
  private locked = false;
  /** The last delivered() in progress (they run one at a time). */
  private forgetting: Promise<void> = Promise.resolve();

  constructor(readonly dir: string) {}

  /** Opens the WAL folder and returns the segments left by a previous run (sealed, oldest first) to deliver. */
  async open(): Promise<Segment[]> {
    await fs.mkdir(this.dir, { recursive: true });
    await this.lock();
    try {
      this.walId = (await fs.readFile(join(this.dir, 'wal-id'), 'utf8')).trim();
    } catch {
      this.walId = randomBytes(4).toString('hex');
      await writeFileDurably(this.dir, 'wal-id', this.walId + '\n');
    }
    let maxSeq = 0;
    try {
      maxSeq = Number((await fs.readFile(join(this.dir, 'last-seq'), 'utf8')).trim()) || 0;
    } catch {
      /* nothing delivered yet */
    }
    const left: Segment[] = [];
    for (const name of (await fs.readdir(this.dir)).sort()) {
      const m = SEG_RE.exec(name);
      if (!m) continue;
      const seg = new Segment(Number(m[1]), join(this.dir, name));
      maxSeq = Math.max(maxSeq, seg.seq);
      let valid = 0;
      for await (const e of readSegment(seg.path, { reuse: true })) {
        valid = e.end;
        seg.records += e.count;
        if (!seg.firstArrivalMs) seg.firstArrivalMs = e.arrivalMs;
      }
      const { size } = await fs.stat(seg.path);
      if (valid < size) await fs.truncate(seg.path, valid); // torn tail: never acknowledged
      seg.size = valid;
      seg.sealed = true;
      seg.markDurable();
      this.bytes += valid;
      left.push(seg);
    }
    this.nextSeq = maxSeq + 1;
    return left;
  }

  /** The open (unsealed) segment, if it holds anything. */
  get head(): Segment | undefined {
    return this.current;
  }

  /**
   * Appends one batch; resolves once it is on disk. Offsets are assigned synchronously, so the order of calls is
   * the order in the log.
   */
  append(records: Buffer[], arrivalMs: number): { seg: Segment; offset: number; done: Promise<void> } {
    let raw = 0;
    for (const r of records) raw += r.length;
    return this.appendEntry(encodeEntry(records, arrivalMs), records.length, raw, arrivalMs);
  }

  /** Appends an entry built by encodeEntry/encodeEntryDeflated holding `count` records of `rawBytes` payload. */
  appendEntry(buf: Buffer, count: number, rawBytes: number, arrivalMs: number): { seg: Segment; offset: number; done: Promise<void> } {
    if (this.broken) {
      throw new EventlakeError(`write-ahead log is unusable after a write error: ${this.broken.message}`, { step: 'collector.wal', retryable: true, cause: this.broken, code: 'WAL_BROKEN', next: 'restart eventlake serve (the WAL is replayed)' });
    }
    const seg = (this.current ??= new Segment(this.nextSeq++, join(this.dir, segmentName(this.nextSeq - 1))));
    const offset = seg.size;
    seg.size += buf.length;
    seg.rawBytes += rawBytes;
    seg.records += count;
    if (!seg.firstArrivalMs) seg.firstArrivalMs = arrivalMs;
    seg.pending++;
    this.bytes += buf.length;
    const done = new Promise<void>((resolve, reject) => this.queue.push({ seg, buf, resolve, reject }));
    if (!this.writing) {
      this.writing = true;
      void this.loop();
    }
    return { seg, offset, done };
  }

  /** Seals the open segment (new appends go to a new one); returns it, or undefined when nothing is buffered. */
  seal(): Segment | undefined {
    const seg = this.current;
    if (!seg) return undefined;
    this.current = undefined;
    seg.sealed = true;
    if (seg.pending === 0) void this.finish(seg);
    return seg;
  }

  /**
   * After delivery: remembers the segment number (never reused), deletes the segment and frees its bytes.
   * Calls are serialised: parallel delivery lanes would otherwise write and rename the same last-seq.tmp at once.
   */
  delivered(seg: Segment): Promise<void> {
    const run = async () => {
      await writeFileDurably(this.dir, 'last-seq', `${Math.max(seg.seq, this.nextSeq - 1)}\n`);
      await fs.rm(seg.path, { force: true });
      this.bytes -= seg.size;
    };
    const p = this.forgetting.then(run);
    this.forgetting = p.catch(() => undefined);
    return p;
  }

  /** Waits until every queued write is on disk. */
  async drain(): Promise<void> {
    if (!this.writing) return;
    await new Promise<void>((r) => this.idle.push(r));
  }

  private async finish(seg: Segment): Promise<void> {
    const fh = seg.fh;
    seg.fh = undefined;
    await fh?.close().catch(() => undefined);
    seg.markDurable();
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue;
        this.queue = [];
        let i = 0;
        while (i < batch.length) {
          const seg = batch[i]!.seg;
          let j = i;
          while (j < batch.length && batch[j]!.seg === seg) j++;
          const items = batch.slice(i, j);
          i = j;
          try {
            if (this.broken) throw this.broken;
            if (!seg.fh) {
              // O_DSYNC: each write returns only once the data is on disk, so a group costs one thread-pool hop
              // (writev) instead of two (write, then fdatasync).
              seg.fh = await fs.open(seg.path, fsConst.O_WRONLY | fsConst.O_CREAT | fsConst.O_APPEND | fsConst.O_DSYNC, 0o644);
              await fsyncDir(this.dir); // the new file's directory entry must survive a crash too
            }
            for (let k = 0; k < items.length; k += 512) await seg.fh.writev(items.slice(k, k + 512).map((q) => q.buf));
            for (const q of items) q.resolve();
          } catch (e) {
            this.broken ??= e as Error;
            seg.writeFailed = true;
            for (const q of items) q.reject(e);
          }
          seg.pending -= items.length;
          if (seg.sealed && seg.pending === 0) await this.finish(seg);
        }
      }
    } finally {
      this.writing = false;
      for (const r of this.idle.splice(0)) r();
    }
  }

  /** One process per WAL folder: a live owner's pid in `lock` refuses a second collector; a dead one's is taken over. */
  private async lock(): Promise<void> {
    const path = join(this.dir, 'lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(path, `${process.pid}\n`, { flag: 'wx' });
        this.locked = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const pid = Number((await fs.readFile(path, 'utf8').catch(() => '')).trim());
      let alive = false;
      if (pid > 0) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch (e) {
          alive = (e as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      if (alive) {
        throw new EventlakeError(`the write-ahead log ${this.dir} is in use by process ${pid}`, { step: 'collector.wal', code: 'WAL_LOCKED', next: 'stop the other `eventlake serve`, or give this one its own collector.walDir' });
      }
      await fs.rm(path, { force: true }); // left by a crashed process
    }
    throw new EventlakeError(`could not lock the write-ahead log ${this.dir}`, { step: 'collector.wal', code: 'WAL_LOCKED', retryable: true });
  }

  async close(): Promise<void> {
    await this.drain();
    if (this.current) {
      const seg = this.current;
      this.current = undefined;
      seg.sealed = true;
      await this.finish(seg);
    }
    if (this.locked) await fs.rm(join(this.dir, 'lock'), { force: true });
    this.locked = false;
  }
}
