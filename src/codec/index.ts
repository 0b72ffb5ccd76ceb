// Picks the gzip/deflate codec: ISA-L igzip when its addon is built (native/igzip), else Node's zlib.
// EVENTLAKE_CODEC=zlib|isal forces one (isal when it cannot load is an error that says how to build it).
import { EventlakeError } from '../core/errors.ts';
import type { CodecName, GzipCodec } from './contract.ts';
import { isalCodec } from './isal/codec.ts';
import { loadIgzip } from './isal/native.ts';
import { zlibCodec } from './zlib/codec.ts';

export type { CodecName, GzipCodec } from './contract.ts';

let chosen: GzipCodec | undefined;

/** Every codec that can run here (the contract tests run against each). */
export function availableCodecs(): GzipCodec[] {
  const { addon } = loadIgzip();
  return addon ? [isalCodec(addon), zlibCodec] : [zlibCodec];
}

/** Why the native codec is not available (undefined when it is). */
export function nativeCodecProblem(): string | undefined {
  return loadIgzip().problem;
}

export function codec(): GzipCodec {
  if (chosen) return chosen;
  const want = process.env.EVENTLAKE_CODEC;
  if (want && want !== 'isal' && want !== 'zlib' && want !== 'auto') {
    throw new EventlakeError(`EVENTLAKE_CODEC=${want} is not a codec (isal | zlib | auto)`, { step: 'config', code: 'CONFIG' });
  }
  const { addon, problem } = loadIgzip();
  if (want === 'isal' && !addon) throw new EventlakeError(`EVENTLAKE_CODEC=isal but ${problem}`, { step: 'config', code: 'CONFIG', next: 'apt install libisal-dev && npm run build:native' });
  chosen = want === 'zlib' || !addon ? zlibCodec : isalCodec(addon);
  return chosen;
}
