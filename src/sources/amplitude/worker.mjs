// Worker-thread entry for the heavy byte work (landing a zip into raw, unzipping). Why a worker: importing zod (the
// config loader) into a process makes streaming inflate there ~60% more CPU-hungry (measured on the 2M-event export:
// 3.8 -> 6.6 CPU s); a worker has its own V8 isolate that never loads zod. Plain .mjs because workers do not inherit
// the tsx loader: it is registered here before the TypeScript modules are imported.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { task, args } = workerData;
try {
  let result;
  if (task === 'unzip') {
    const { unzipExport } = await import('./unzip.ts');
    result = await unzipExport({ ...args, onFile: (f) => parentPort.postMessage({ type: 'file', file: f }) });
  } else if (task === 'land') {
    const { landExportZip } = await import('./land.ts');
    const { LocalStorage } = await import('../../storage/local/local-storage.ts');
    const { LakeLayout } = await import('../../lake/layout.ts');
    result = await landExportZip(args.zipFile, { ...args.opts, storage: new LocalStorage({ root: args.root }), layout: new LakeLayout(args.prefixes) });
  } else throw new Error(`unknown worker task ${task}`);
  parentPort.postMessage({ type: 'done', result });
} catch (err) {
  const e = err ?? {};
  parentPort.postMessage({ type: 'error', error: { message: e.message ?? String(err), step: e.step, code: e.code, retryable: e.retryable, context: e.context, next: e.next, cause: e.cause?.message } });
}
