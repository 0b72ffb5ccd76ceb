// Node's zlib behind the codec contract: always available; the fallback when the native igzip addon is not built.
import * as zlib from 'node:zlib';
import { codecError, type DeflateOptions, type GunzipCounter, type GzipCodec, type LineCount, type StreamOptions } from '../contract.ts';

const level = (o?: DeflateOptions) => Math.min(9, Math.max(1, o?.level ?? 1));

/** Counting gunzip on zlib's stream (inflates on the libuv pool): output chunks are counted and dropped. */
function zlibCounter(maxBytes: number): GunzipCounter {
  const g = zlib.createGunzip({ chunkSize: 256 * 1024 });
  const t: LineCount = { bytes: 0, newlines: 0, lastByte: -1 };
  let failure: Error | undefined;
  g.on('data', (c: Buffer) => {
    t.bytes += c.length;
    for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) t.newlines++;
    t.lastByte = c[c.length - 1]!;
    if (t.bytes > maxBytes && !failure) {
      failure = codecError('LIMIT', `inflated more than ${maxBytes} bytes`);
      g.destroy();
    }
  });
  g.on('error', (e) => (failure ??= e));
  // Settles on the write callback or 'end', or on 'close' (a destroyed stream drops pending write callbacks).
  const wait = (start: (done: () => void) => void) =>
    new Promise<LineCount>((resolve, reject) => {
      if (failure) return reject(failure);
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        g.off('close', onClose);
        if (failure) reject(failure);
        else resolve({ ...t });
      };
      const onClose = () => {
        failure ??= codecError('Z_BUF_ERROR', 'unexpected end of file');
        done();
      };
      g.once('close', onClose);
      start(done);
    });
  return {
    write: (chunk) => wait((done) => g.write(chunk, () => done())),
    end: () =>
      wait((done) => {
        g.once('end', done);
        g.end();
      }),
  };
}

function copyInto(src: Buffer, out: Uint8Array): number {
  if (src.length > out.length) throw codecError('LIMIT', `${src.length} bytes do not fit the ${out.length} given`);
  out.set(src);
  return src.length;
}

/**
 * Length of the gzip header (RFC 1952) at the start of data, or -1 when data ends inside it. Throws Z_DATA_ERROR
 * when it is not a gzip header.
 */
function gzipHeaderLength(d: Uint8Array): number {
  if ((d.length > 0 && d[0] !== 0x1f) || (d.length > 1 && d[1] !== 0x8b)) throw codecError('Z_DATA_ERROR', 'incorrect header check (not a gzip stream)');
  if (d.length > 2 && d[2] !== 8) throw codecError('Z_DATA_ERROR', 'unsupported compression method');
  if (d.length < 10) return -1;
  const flags = d[3]!;
  if (flags & 0xe0) throw codecError('Z_DATA_ERROR', 'reserved gzip header flags set');
  let p = 10;
  if (flags & 4) p = p + 2 > d.length ? Infinity : p + 2 + (d[p]! | (d[p + 1]! << 8)); // FEXTRA
  for (const bit of [8, 16]) {
    // FNAME, FCOMMENT: zero-terminated
    if (flags & bit && p < d.length) {
      const z = d.indexOf(0, p);
      p = z < 0 ? Infinity : z + 1;
    } else if (flags & bit) p = Infinity;
  }
  if (flags & 2) p += 2; // FHCRC
  return p > d.length ? -1 : p;
}

/**
 * Exactly one member: the header read here, the deflate body by zlib's raw inflate (which says where it ended), the
 * trailer checked here. (gunzipSync would read on into a following member and ignore some trailing garbage.)
 */
function gunzipMember(data: Uint8Array, out: Uint8Array): number {
  const h = gzipHeaderLength(data);
  if (h < 0) throw codecError('Z_BUF_ERROR', data.length ? 'unexpected end of file' : 'empty input, not a compressed stream');
  let r: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // Bounded by out (+1 byte, so a member that needs more is told from one that fits exactly).
    r = zlib.inflateRawSync(data.subarray(h), { info: true, maxOutputLength: out.length + 1 }) as unknown as typeof r;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw codecError('LIMIT', `the gzip member inflates to more than the ${out.length} bytes given`);
    throw codecError(code === 'Z_BUF_ERROR' ? 'Z_BUF_ERROR' : 'Z_DATA_ERROR', (e as Error).message);
  }
  const end = h + r.engine.bytesWritten;
  if (data.length - end < 8) throw codecError('Z_BUF_ERROR', 'unexpected end of file');
  if (data.length - end > 8) throw codecError('Z_DATA_ERROR', 'bytes after the gzip member');
  const trailer = Buffer.from(data.buffer, data.byteOffset + end, 8);
  if (trailer.readUInt32LE(0) !== zlib.crc32(r.buffer) || trailer.readUInt32LE(4) !== r.buffer.length % 2 ** 32) {
    throw codecError('Z_DATA_ERROR', 'incorrect data check (CRC-32 or length trailer mismatch)');
  }
  return copyInto(r.buffer, out);
}

export const zlibCodec: GzipCodec = {
  name: 'zlib',
  createGunzip: (o?: StreamOptions) => zlib.createGunzip({ chunkSize: o?.chunkSize }),
  createInflateRaw: (o?: StreamOptions) => zlib.createInflateRaw({ chunkSize: o?.chunkSize }),
  createGzip: (o?: DeflateOptions) => zlib.createGzip({ level: level(o), chunkSize: o?.chunkSize }),
  gzipSync: (data, o) => zlib.gzipSync(data, { level: level(o) }),
  gunzipSync: (data) => zlib.gunzipSync(data),
  gzipInto: (data, out, o) => copyInto(zlib.gzipSync(data, { level: level(o) }), out),
  gzipIntoAsync: (data, out, o) =>
    new Promise((resolve, reject) =>
      zlib.gzip(data, { level: level(o) }, (err, r) => {
        if (err) return reject(codecError('Z_DATA_ERROR', err.message));
        try {
          resolve(copyInto(r, out));
        } catch (e) {
          reject(e as Error);
        }
      }),
    ),
  gunzipInto: gunzipMember,
  deflateRawSync: (data, o) => zlib.deflateRawSync(data, { level: level(o) }),
  inflateRawSync: (data) => zlib.inflateRawSync(data),
  createGunzipCounter: (o) => zlibCounter(o.maxBytes),
  crc32: (data, previous) => zlib.crc32(data, previous),
};
