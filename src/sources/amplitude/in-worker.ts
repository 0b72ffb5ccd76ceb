// Runs `eventlake unzip` in a worker thread (see worker.mjs for why) and rebuilds errors as EventlakeError.
import { Worker } from 'node:worker_threads';
import { EventlakeError } from '../../core/errors.ts';
import type { UnzipOptions, UnzipSummary, UnzippedFile } from './unzip.ts';

interface WorkerError {
  message: string;
  step?: string;
  code?: string;
  retryable?: boolean;
  context?: Record<string, unknown>;
  next?: string;
  cause?: string;
}

function run<T>(task: string, args: unknown, onMessage?: (m: { type: string; [k: string]: unknown }) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { task, args } });
    let settled = false;
    w.on('message', (m: { type: string; result?: T; error?: WorkerError }) => {
      if (m.type === 'done') {
        settled = true;
        resolve(m.result as T);
      } else if (m.type === 'error') {
        settled = true;
        const e = m.error!;
        reject(new EventlakeError(e.message, { step: e.step ?? task, code: e.code, retryable: e.retryable, context: e.context, next: e.next, cause: e.cause ? new Error(e.cause) : undefined }));
      } else onMessage?.(m);
    });
    w.on('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    w.on('exit', (code) => {
      if (!settled) reject(new Error(`${task} worker exited with code ${code}`));
      settled = true;
    });
  });
}

export function unzipInWorker(o: UnzipOptions): Promise<UnzipSummary> {
  const { onFile, ...args } = o;
  return run<UnzipSummary>('unzip', args, (m) => m.type === 'file' && onFile?.(m.file as UnzippedFile));
}
