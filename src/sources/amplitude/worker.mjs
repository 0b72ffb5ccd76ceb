// Worker-thread entry for `eventlake unzip` (extract lands in its own thread: see extract.ts). Why a worker: streaming inflate
// allocates a new buffer per output chunk (~3 GB of them for the 2M-event export) and V8 answers that with a major
// GC every few dozen MB; in the CLI's thread each of those marks a heap holding zod, the config, commander, pino...
// (measured 2026-11-30, `eventlake unzip` on the 2M-event export: 4.2-4.3 user CPU s in this worker, 6.5-6.7 s in the
// main thread, which would save ~25 MB of peak RSS); a worker's own small heap keeps those GCs cheap. Any large heap
// does it, not zod itself. Plain .mjs because workers do not inherit the tsx loader: tsx's CommonJS hook (transpiles
// in this thread) rather than its ESM hook, which starts one more loader thread with its own V8 heap (~10 MB more
// RSS); the TypeScript modules required below have no top-level await.
// One worker per zip: with the isal codec (src/codec) inflate runs synchronously in this thread, so it uses one core
// for inflating and the libuv pool for file I/O. Splitting the entries over two workers (tried 2026-11-30, 2M-event
// export, 2 cores shared with other jobs, unzip and landing) gained no wall time under load and took peak RSS from ~150
// to 190-200 MB (each worker's isolate and malloc arena), so it is not done.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
const { task, args } = workerData;
try {
  let result;
  if (task === 'unzip') {
    const { unzipExport } = require('./unzip.ts');
    result = await unzipExport({ ...args, onFile: (f) => parentPort.postMessage({ type: 'file', file: f }) });
  } else throw new Error(`unknown worker task ${task}`);
  parentPort.postMessage({ type: 'done', result });
} catch (err) {
  const e = err ?? {};
  parentPort.postMessage({ type: 'error', error: { message: e.message ?? String(err), step: e.step, code: e.code, retryable: e.retryable, context: e.context, next: e.next, cause: e.cause?.message } });
}
