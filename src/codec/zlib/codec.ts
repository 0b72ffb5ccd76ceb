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

export const zlibCodec: GzipCodec = {
  name: 'zlib',
  createGunzip: (o?: StreamOptions) => zlib.createGunzip({ chunkSize: o?.chunkSize }),
  createInflateRaw: (o?: StreamOptions) => zlib.createInflateRaw({ chunkSize: o?.chunkSize }),
  createGzip: (o?: DeflateOptions) => zlib.createGzip({ level: level(o), chunkSize: o?.chunkSize }),
  gzipSync: (data, o) => zlib.gzipSync(data, { level: level(o) }),
  gunzipSync: (data) => zlib.gunzipSync(data),
  deflateRawSync: (data, o) => zlib.deflateRawSync(data, { level: level(o) }),
  inflateRawSync: (data) => zlib.inflateRawSync(data),
  createGunzipCounter: (o) => zlibCounter(o.maxBytes),
  crc32: (data, previous) => zlib.crc32(data, previous),
};
