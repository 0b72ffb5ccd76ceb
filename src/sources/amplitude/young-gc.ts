// Frees inflate output buffers promptly. Inflating allocates a fresh output buffer per chunk (~3 GB of them for the
// 2M-event export) and creates almost no JS objects, so V8 frees those buffers only once ~64 MB of them pile up (its
// external memory limit) per thread; malloc keeps that high-water mark as RSS for the rest of the run. A young-
// generation GC every few MiB of output (each ~0.2 ms: the young heap holds little but the dead buffers' handles)
// keeps the pile at a few MB. `gc` is exposed on demand, as `node --expose-gc` does at startup (also done, and
// measured, for downloads in client.ts).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const EVERY_BYTES = 8 * 1024 * 1024;
let gc: ((o: { type: 'minor' }) => void) | null | undefined;

function loadGc(): typeof gc {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as (o: { type: 'minor' }) => void;
    } catch {
      gc = null;
    }
  }
  return gc;
}

/** A counter of new buffers made by this thread that asks for a young GC after every `everyBytes` of them. */
export function youngGcEvery(everyBytes: number): (bytes: number) => void {
  let count = 0;
  return (bytes) => {
    count += bytes;
    if (count < everyBytes) return;
    count = 0;
    loadGc()?.({ type: 'minor' });
  };
}

/** Counts `bytes` of new buffers made by this thread; asks for a young GC after every 8 MiB of them. */
export const allocatedBuffers = youngGcEvery(EVERY_BYTES);
