// Loads the igzip addon (native/igzip, built from Debian's libisal-dev by `npm run build:native`, which `npm ci`
// runs). The only file that touches the addon. Absent or unloadable = undefined, and the zlib codec is used.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface IgzipAddon {
  newInflater(mode: 0 | 1): object;
  /** result = [consumed, produced, atBoundary, members]; returns 0 or a negative ISA-L error. */
  inflate(handle: object, input: Uint8Array, output: Uint8Array, result: Uint32Array): number;
  newDeflater(level: number, format: 0 | 1): object;
  /** result = [consumed, produced, ended, 0]; returns 0 or a negative ISA-L error. */
  deflate(handle: object, input: Uint8Array, output: Uint8Array, finish: 0 | 1, result: Uint32Array): number;
  /** Counting gunzip (work on the libuv pool): stops with status 1 once more than limitBytes were inflated. */
  newCounter(limitBytes: number): object;
  count(handle: object, input: Uint8Array, done: (status: number, atBoundary: number, bytes: number, newlines: number, lastByte: number) => void): void;
  /** gzipInto on the libuv thread pool: callback(result) with the same results. */
  gzipIntoAsync(level: number, input: Uint8Array, output: Uint8Array, callback: (result: number) => void): void;
  crc32(data: Uint8Array, previous?: number): number;
  /**
   * One-shot gzip member of input into output (state kept per thread, nothing allocated per call). Returns its length
   * or a negative code: ONESHOT_LIMIT when output is too small, else an ISA-L deflate error.
   */
  gzipInto(level: number, input: Uint8Array, output: Uint8Array): number;
  /**
   * Inflates the one gzip member that input holds into output. Returns the bytes written or a negative code: an ISA-L
   * inflate error (-1..-6) or one of ONESHOT_LIMIT / ONESHOT_TRUNCATED / ONESHOT_TRAILING.
   */
  gunzipInto(input: Uint8Array, output: Uint8Array): number;
}

/** gzipInto / gunzipInto results besides ISA-L's own errors (native/igzip/igzip.c ONESHOT_*). */
export const ONESHOT_LIMIT = -100;
export const ONESHOT_TRUNCATED = -101;
export const ONESHOT_TRAILING = -102;

export const ADDON_PATH = fileURLToPath(new URL('../../../native/igzip/build/Release/igzip.node', import.meta.url));

let loaded: { addon?: IgzipAddon; problem?: string } | undefined;

export function loadIgzip(): { addon?: IgzipAddon; problem?: string } {
  if (loaded) return loaded;
  if (!existsSync(ADDON_PATH)) {
    loaded = { problem: `native/igzip is not built (${ADDON_PATH} missing): apt install libisal-dev, then npm run build:native` };
  } else {
    try {
      loaded = { addon: createRequire(import.meta.url)(ADDON_PATH) as IgzipAddon };
    } catch (e) {
      loaded = { problem: `native/igzip failed to load: ${(e as Error).message}` };
    }
  }
  return loaded;
}
