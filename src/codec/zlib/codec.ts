// Node's zlib behind the codec contract: always available; the fallback when the native igzip addon is not built.
import * as zlib from 'node:zlib';
import type { DeflateOptions, GzipCodec, StreamOptions } from '../contract.ts';

const level = (o?: DeflateOptions) => Math.min(9, Math.max(1, o?.level ?? 1));

export const zlibCodec: GzipCodec = {
  name: 'zlib',
  createGunzip: (o?: StreamOptions) => zlib.createGunzip({ chunkSize: o?.chunkSize }),
  createInflateRaw: (o?: StreamOptions) => zlib.createInflateRaw({ chunkSize: o?.chunkSize }),
  createGzip: (o?: DeflateOptions) => zlib.createGzip({ level: level(o), chunkSize: o?.chunkSize }),
  gzipSync: (data, o) => zlib.gzipSync(data, { level: level(o) }),
  gunzipSync: (data) => zlib.gunzipSync(data),
  deflateRawSync: (data, o) => zlib.deflateRawSync(data, { level: level(o) }),
  inflateRawSync: (data) => zlib.inflateRawSync(data),
};
