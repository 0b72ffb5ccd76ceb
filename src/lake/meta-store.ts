// Run state visible on disk under _eventlake/: checkpoints per completed window and manifests per batch.
// Stored through the storage contract so it lives next to the data (locally or on S3).
import { getJson, listAll, putJson, type Storage } from '../core/storage.ts';
import type { LakeLayout } from './layout.ts';

export type WindowStatus = 'done' | 'empty' | 'failed';

export interface Checkpoint {
  source: string;
  window: string; // e.g. "2026-11-01T00..2026-11-01T05" or "2026-11-01T07"
  status: WindowStatus;
  at: string; // ISO time recorded
  detail?: Record<string, unknown>;
}

const safeId = (s: string) => s.replace(/[^A-Za-z0-9_.=-]+/g, '_');

export class MetaStore {
  constructor(readonly storage: Storage, readonly layout: LakeLayout) {}

  checkpointKey(source: string, window: string): string {
    return this.layout.metaKey('checkpoints', source, `${safeId(window)}.json`);
  }

  async getCheckpoint(source: string, window: string): Promise<Checkpoint | undefined> {
    return getJson<Checkpoint>(this.storage, this.checkpointKey(source, window));
  }

  async putCheckpoint(cp: Omit<Checkpoint, 'at'> & { at?: string }): Promise<void> {
    await putJson(this.storage, this.checkpointKey(cp.source, cp.window), { ...cp, at: cp.at ?? new Date().toISOString() });
  }

  async listCheckpoints(source: string): Promise<Checkpoint[]> {
    const objs = await listAll(this.storage, this.layout.metaKey('checkpoints', source) + '/');
    const out: Checkpoint[] = [];
    for (const o of objs) {
      const cp = await getJson<Checkpoint>(this.storage, o.key);
      if (cp) out.push(cp);
    }
    return out;
  }

  manifestKey(source: string, batchId: string): string {
    return this.layout.metaKey('manifests', source, `${safeId(batchId)}.json`);
  }

  async putManifest(source: string, batchId: string, manifest: unknown): Promise<string> {
    const key = this.manifestKey(source, batchId);
    await putJson(this.storage, key, manifest);
    return key;
  }

  async getManifest<T>(source: string, batchId: string): Promise<T | undefined> {
    return getJson<T>(this.storage, this.manifestKey(source, batchId));
  }

  async listManifests<T>(source: string): Promise<T[]> {
    const objs = await listAll(this.storage, this.layout.metaKey('manifests', source) + '/');
    const out: T[] = [];
    for (const o of objs) {
      const m = await getJson<T>(this.storage, o.key);
      if (m) out.push(m);
    }
    return out;
  }
}
