// Runs in a worker thread: the CPU-heavy half of delivery (read segment, transform, gzip) off the thread that
// serves HTTP and acks. The main thread publishes the files (storage stays in one place).
import { parentPort } from 'node:worker_threads';
import { buildSegmentFiles, type BuildSpec } from './delivery.ts';
import { loadTransform, type BatchTransform } from './transform.ts';

export interface BuildRequest {
  id: number;
  /** Absent: only load the transform (warm-up). */
  spec?: BuildSpec;
  transform: string;
  baseDir: string;
}

const transforms = new Map<string, Promise<BatchTransform>>();

parentPort!.on('message', async (m: BuildRequest) => {
  try {
    const key = `${m.baseDir}\0${m.transform}`;
    if (!transforms.has(key)) transforms.set(key, loadTransform(m.transform, m.baseDir));
    const transform = await transforms.get(key)!;
    parentPort!.postMessage({ id: m.id, built: m.spec ? await buildSegmentFiles(m.spec, transform) : undefined });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error)?.message ?? String(e) });
  }
});
