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

export const zlibCodec: GzipCodec = {
  name: 'zlib',
  createGunzip: (o?: StreamOptions) => zlib.createGunzip({ chunkSize: o?.chunkSize }),
  createInflateRaw: (o?: StreamOptions) => zlib.createInflateRaw({ chunkSize: o?.chunkSize }),
  createGzip: (o?: DeflateOptions) => zlib.createGzip({ level: level(o), chunkSize: o?.chunkSize }),
  gzipSync: (data, o) => zlib.gzipSync(data, { level: level(o) }),
  gunzipSync: (data) => zlib.gunzipSync(data),
  gzipInto: (data, out, o) => copyInto(zlib.gzipSync(data, { level: level(o) }), out),
  gunzipInto: (data, out) => {
    if (data.length < 18 || data[0] !== 0x1f || data[1] !== 0x8b) throw codecError(data.length < 18 ? 'Z_BUF_ERROR' : 'Z_DATA_ERROR', 'not one whole gzip member');
    // One member exactly: zlib would read on into a second one, so the trailer's ISIZE bounds the output.
    const isize = Buffer.from(data.buffer, data.byteOffset, data.length).readUInt32LE(data.length - 4);
    if (isize > out.length) throw codecError('LIMIT', `the member inflates to ${isize} bytes, more than the ${out.length} given`);
    let r: Buffer;
    try {
      r = zlib.gunzipSync(data, { maxOutputLength: Math.max(1, out.length) });
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw codecError(code === 'Z_BUF_ERROR' ? 'Z_BUF_ERROR' : code === 'ERR_BUFFER_TOO_LARGE' ? 'LIMIT' : 'Z_DATA_ERROR', (e as Error).message);
    }
    if (r.length !== isize) throw codecError('Z_DATA_ERROR', 'bytes after the gzip member');
    return copyInto(r, out);
  },
  deflateRawSync: (data, o) => zlib.deflateRawSync(data, { level: level(o) }),
  inflateRawSync: (data) => zlib.inflateRawSync(data),
  createGunzipCounter: (o) => zlibCounter(o.maxBytes),
  crc32: (data, previous) => zlib.crc32(data, previous),
};
