// One delivery worker thread (deliveries are sequential; the point is to keep transform + gzip off the HTTP thread).
import { Worker } from 'node:worker_threads';
import { EventlakeError } from '../core/errors.ts';
import type { Built, BuildSpec } from './delivery.ts';
import type { BuildRequest } from './delivery-worker.ts';

export class DeliveryWorker {
  private worker?: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (b: Built | undefined) => void; reject: (e: unknown) => void }>();

  constructor(
    private readonly transform: string,
    private readonly baseDir: string,
  ) {}

  private start(): Worker {
    const w = new Worker(new URL('./delivery-worker.mjs', import.meta.url));
    w.on('message', (m: { id: number; built?: Built; error?: string }) => {
      const p = this.waiting.get(m.id);
      if (!p) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker?.unref(); // idle: never keep the process alive
      if (m.error === undefined) p.resolve(m.built);
      else p.reject(new EventlakeError(`delivery worker failed: ${m.error}`, { step: 'collector.deliver', retryable: true }));
    });
    const fail = (e: unknown) => {
      this.worker = undefined;
      for (const p of this.waiting.values()) p.reject(new EventlakeError(`delivery worker stopped: ${(e as Error)?.message ?? e}`, { step: 'collector.deliver', retryable: true, cause: e }));
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    w.unref();
    return w;
  }

  /** Starts the thread and loads the transform now, so the first delivery does not pay for it (seconds under load). */
  warm(): Promise<void> {
    return this.send(undefined).then(() => undefined);
  }

  build(spec: BuildSpec): Promise<Built> {
    return this.send(spec) as Promise<Built>;
  }

  private send(spec: BuildSpec | undefined): Promise<Built | undefined> {
    this.worker ??= this.start();
    this.worker.ref(); // a build in flight keeps the process alive
    const id = this.nextId++;
    const msg: BuildRequest = { id, spec, transform: this.transform, baseDir: this.baseDir };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker!.postMessage(msg);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}
