// One run per pipeline+window at a time. The lock is an object created with "if not exists" under
// _eventlake/locks/, refreshed by a heartbeat while the run lives. A lock is stale (and may be taken over) when its
// heartbeat is older than the TTL, or when it was taken on this host by a process that no longer exists (killed run).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { EventlakeError } from '../core/errors.ts';
import { getJson, putJson, type Storage } from '../core/storage.ts';
import type { LakeLayout } from '../lake/layout.ts';

export interface LockInfo {
  token: string;
  pipeline: string;
  window: string;
  runId: string;
  host: string;
  pid: number;
  acquiredAt: string;
  heartbeatAt: string;
}

export interface HeldLock {
  info: LockInfo;
  /** The lock this one replaced, when it was stale. */
  tookOver?: LockInfo;
  release(): Promise<void>;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isStale(l: LockInfo, ttlMs: number, now = Date.now()): boolean {
  if (now - Date.parse(l.heartbeatAt) > ttlMs) return true;
  return l.host === hostname() && l.pid !== process.pid && !pidAlive(l.pid);
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.=-]+/g, '_');

export function lockKey(layout: LakeLayout, pipeline: string, window: string): string {
  return layout.metaKey('locks', 'pipelines', safe(pipeline), `${safe(window)}.json`);
}

export async function acquireLock(
  storage: Storage,
  layout: LakeLayout,
  o: { pipeline: string; window: string; runId: string; ttlMs: number },
): Promise<HeldLock> {
  const key = lockKey(layout, o.pipeline, o.window);
  const now = new Date().toISOString();
  const info: LockInfo = { token: randomUUID(), pipeline: o.pipeline, window: o.window, runId: o.runId, host: hostname(), pid: process.pid, acquiredAt: now, heartbeatAt: now };
  let tookOver: LockInfo | undefined;
  for (let i = 0; i < 3; i++) {
    try {
      await storage.put(key, JSON.stringify(info, null, 2) + '\n', { ifNotExists: true, contentType: 'application/json' });
      break;
    } catch (e) {
      const cur = await getJson<LockInfo>(storage, key).catch(() => undefined);
      if (cur && !isStale(cur, o.ttlMs)) {
        throw new EventlakeError(
          `pipeline ${o.pipeline} window ${o.window} is already running (run ${cur.runId}, ${cur.host} pid ${cur.pid}, since ${cur.acquiredAt})`,
          {
            step: 'pipeline.lock',
            code: 'LOCKED',
            retryable: true,
            cause: e,
            next: `wait for run ${cur.runId} to finish (eventlake runs --pipeline ${o.pipeline}); a dead run's lock expires after ${Math.round(o.ttlMs / 1000)} s`,
          },
        );
      }
      // Stale (or vanished between our put and get): remove it and try again; ifNotExists arbitrates races.
      // Delete only the lock we judged stale: if another process already replaced it, leave theirs alone.
      if (cur) {
        const again = await getJson<LockInfo>(storage, key).catch(() => undefined);
        if (again?.token === cur.token) {
          tookOver = cur;
          await storage.delete(key).catch(() => undefined);
        }
      }
      if (i === 2) throw new EventlakeError(`cannot take the lock ${key}`, { step: 'pipeline.lock', code: 'LOCKED', retryable: true, cause: e });
    }
  }
  const beat = setInterval(() => {
    void (async () => {
      const cur = await getJson<LockInfo>(storage, key).catch(() => undefined);
      if (cur?.token !== info.token) return; // lost it: never overwrite someone else's lock
      info.heartbeatAt = new Date().toISOString();
      await putJson(storage, key, info).catch(() => undefined);
    })();
  }, Math.max(250, Math.floor(o.ttlMs / 3)));
  beat.unref();
  return {
    info,
    tookOver,
    async release() {
      clearInterval(beat);
      const cur = await getJson<LockInfo>(storage, key).catch(() => undefined);
      if (cur?.token === info.token) await storage.delete(key);
    },
  };
}
