// Loads the native base64 span decoder (native/base64, plain C with an AVX2 path, built by `npm run build:native`,
// which `npm ci` runs). The only file that touches that addon. It is used only where it beats Node's decoder: when
// built, loadable, on a CPU with AVX2, and EVENTLAKE_NATIVE_BASE64 is not 0. Otherwise batch-entry.ts decodes through
// strings with Node (same verdicts and bytes; the tests compare the two).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Base64Addon {
  /**
   * Decodes span i = src[spans[2i], spans[2i+1]) for every i < count with lens[i] >= 0, one after another into dst
   * from dstOffset, each followed by the byte `sep` when it is 0..255 (-1: none); a span that is not valid base64 of
   * exactly lens[i] bytes gets lens[i] = -2 and takes no room. Returns the offset after the last byte written.
   */
  decodeSpans(src: Uint8Array, spans: Int32Array, count: number, lens: Int32Array, dst: Uint8Array, dstOffset: number, sep: number): number;
  /** True when the AVX2 path runs on this CPU. */
  readonly simd: boolean;
}

function load(): { addon?: Base64Addon; problem?: string } {
  if (process.env.EVENTLAKE_NATIVE_BASE64 === '0') return { problem: 'EVENTLAKE_NATIVE_BASE64=0' };
  try {
    const path = fileURLToPath(new URL('../../native/base64/build/Release/base64.node', import.meta.url));
    if (!existsSync(path)) return { problem: `native/base64 is not built (${path} missing): npm run build:native` };
    return { addon: createRequire(import.meta.url)(path) as Base64Addon };
  } catch (e) {
    return { problem: `native/base64 failed to load: ${(e as Error).message}` };
  }
}

const loaded = load();

/** The addon whenever it loads (tests exercise its scalar path too). */
export const base64Addon: Base64Addon | undefined = loaded.addon;

/** The decoder batch-entry.ts uses: the addon when it loads and has its SIMD path, else undefined (Node's decoder). */
export const nativeDecodeSpans: Base64Addon['decodeSpans'] | undefined = loaded.addon?.simd ? loaded.addon.decodeSpans : undefined;

/** Why the native decoder is not used (undefined when it is). */
export const nativeBase64Problem: string | undefined = loaded.problem ?? (loaded.addon && !loaded.addon.simd ? 'this CPU has no AVX2 (the scalar decoder is slower than Node\'s)' : undefined);
