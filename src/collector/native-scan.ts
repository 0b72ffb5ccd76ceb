// Loads the native GitHub event scanner (native/event-scan, plain C, built by `npm run build:native`, which `npm ci`
// runs). The only file that touches that addon. Not built, unloadable, or EVENTLAKE_NATIVE_SCAN=0: undefined, and
// github-event-scan.ts uses its JS scanner (same answers; the tests compare the two).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface EventScanAddon {
  isNormalGithubEvent(b: Uint8Array): boolean;
  // The functions below are absent from an addon built before they were added (then the JS path is used).
  isUtf8?(b: Uint8Array): boolean;
  allPassLinesSync?(buf: Uint8Array, n: number): boolean;
  allPassLines?(buf: Uint8Array, n: number, callback: (err: Error | null, allPass: boolean) => void): void;
}

function load(): { addon?: EventScanAddon; problem?: string } {
  if (process.env.EVENTLAKE_NATIVE_SCAN === '0') return { problem: 'EVENTLAKE_NATIVE_SCAN=0' };
  try {
    // Inside a bundle (the Firehose Lambda) the path resolves elsewhere and the file is absent: the JS scanner runs.
    const path = fileURLToPath(new URL('../../native/event-scan/build/Release/event_scan.node', import.meta.url));
    if (!existsSync(path)) return { problem: `native/event-scan is not built (${path} missing): npm run build:native` };
    return { addon: createRequire(import.meta.url)(path) as EventScanAddon };
  } catch (e) {
    return { problem: `native/event-scan failed to load: ${(e as Error).message}` };
  }
}

const loaded = load();

/** The native isNormalGithubEvent when its addon is built and loads (and EVENTLAKE_NATIVE_SCAN is not 0), else undefined. */
export const nativeIsNormalGithubEvent: ((b: Uint8Array) => boolean) | undefined = loaded.addon?.isNormalGithubEvent;

/** Why the native scanner is not used (undefined when it is). */
export const nativeScanProblem: string | undefined = loaded.problem;

/** The addon's C UTF-8 validator (same answers as node:buffer's isUtf8; exposed for the tests), else undefined. */
export const nativeIsUtf8: ((b: Uint8Array) => boolean) | undefined = loaded.addon?.isUtf8;

/**
 * Whether every record of a collector "lines" entry (src/collector/wal.ts: table of n u32 lengths at byte 20, then each
 * record followed by "\n") passes the GitHub transform unchanged (firehose-transform.ts passesGithubTransformUnchanged),
 * in one native call on the calling thread; a bad layout is false. Undefined when the addon is not used.
 */
export const nativeAllPassLinesSync: ((buf: Uint8Array, n: number) => boolean) | undefined = loaded.addon?.allPassLinesSync;

/**
 * nativeAllPassLinesSync on the libuv thread pool: the callback gets the verdict. The addon holds a reference to buf
 * until then; the caller must not write to its bytes meanwhile. Throws a TypeError (synchronously) on bad arguments.
 */
export const nativeAllPassLines: ((buf: Uint8Array, n: number, callback: (err: Error | null, allPass: boolean) => void) => void) | undefined =
  loaded.addon?.allPassLines;
