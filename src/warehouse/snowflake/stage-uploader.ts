// Copies raw Amplitude files (bronze, exact bytes) into the Snowflake external stage prefix python-import/<source>/.
// The target is written with PUT only (the seed's uploader role may only s3:PutObject on that prefix), so what was
// staged is tracked in our own load history under _eventlake/load-history/<source>/stage/dt=YYYY-MM-DD.json in
// the lake. A rerun skips files already staged with the same size and mtime and re-PUTs the rest to the same keys:
// it replaces, never duplicates (and Snowflake's load metadata skips an unchanged re-PUT file on COPY).
import type { Readable } from 'node:stream';
import { getJson, putJson, type ObjectInfo, type Storage } from '../../core/storage.ts';
import { EventlakeError } from '../../core/errors.ts';
import { datesBetween, partitionOf, type LakeLayout } from '../../lake/layout.ts';
import { S3Api } from '../../cloud/aws/s3.ts';

/** The only thing the uploader needs from the stage: write an object. */
export interface PutOnlyTarget {
  readonly description: string;
  put(key: string, body: Readable, size: number): Promise<void>;
}

/** Stage inside the lake itself (local folder or the lake bucket). */
export function lakeTarget(storage: Storage, layout: LakeLayout): PutOnlyTarget {
  return {
    description: `lake:${storage.uri(layout.prefixes.stage)}`,
    async put(key, body) {
      await storage.put(key, body, { contentType: 'application/gzip' });
    },
  };
}

/** Stage on its own bucket/prefix: PutObject (multipart when large) only, SSE-KMS when configured. */
export function s3PutOnlyTarget(api: S3Api, prefix = ''): PutOnlyTarget {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  const full = (key: string) => (p ? `${p}/${key}` : key);
  return {
    description: `s3://${api.bucket}/${p}`,
    async put(key, body) {
      await api.put(full(key), body, { contentType: 'application/gzip' });
    },
  };
}

export interface StagedFile {
  rawKey: string;
  stagedKey: string;
  size: number;
  rawLastModified: string;
  stagedAt: string;
}

export interface StageHistory {
  source: string;
  dt: string;
  target: string;
  files: Record<string, StagedFile>;
}

export interface StageOptions {
  source?: string;
  /** Inclusive dt range (YYYY-MM-DD); default: every dt under raw/<source>/. */
  from?: string;
  to?: string;
  /** Re-PUT even files the history says are staged. */
  force?: boolean;
  onFile?: (f: StagedFile, skipped: boolean) => void;
}

export interface StageResult {
  staged: StagedFile[];
  skipped: number;
  historyKeys: string[];
}

export function stagedKeyFor(layout: LakeLayout, source: string, rawKey: string): string {
  const rawPrefix = layout.rawPrefix(source);
  if (!rawKey.startsWith(rawPrefix)) throw new Error(`not a raw ${source} key: ${rawKey}`);
  return layout.stagePrefix(source) + rawKey.slice(rawPrefix.length);
}

export function stageHistoryKey(layout: LakeLayout, source: string, dt: string): string {
  return layout.metaKey('load-history', source, 'stage', `dt=${dt}.json`);
}

export async function stageRaw(
  lake: Storage,
  layout: LakeLayout,
  target: PutOnlyTarget,
  opts: StageOptions = {},
): Promise<StageResult> {
  const source = opts.source ?? 'amplitude';
  if ((opts.from && !opts.to) || (!opts.from && opts.to)) {
    throw new EventlakeError('give both --from and --to (or neither)', { step: 'stage', code: 'USAGE' });
  }
  // Group raw files by dt: one history object per dt keeps history small and rewrites cheap.
  const byDt = new Map<string, ObjectInfo[]>();
  const prefixes = opts.from && opts.to ? datesBetween(opts.from, opts.to).map((dt) => layout.rawPrefix(source, dt)) : [layout.rawPrefix(source)];
  for (const prefix of prefixes) {
    for await (const o of lake.list(prefix)) {
      if (!o.key.endsWith('.json.gz')) continue;
      const dt = partitionOf(o.key).dt;
      if (!dt) continue;
      const arr = byDt.get(dt) ?? [];
      arr.push(o);
      byDt.set(dt, arr);
    }
  }
  const result: StageResult = { staged: [], skipped: 0, historyKeys: [] };
  for (const dt of [...byDt.keys()].sort()) {
    const hKey = stageHistoryKey(layout, source, dt);
    const history: StageHistory = (await getJson<StageHistory>(lake, hKey)) ?? { source, dt, target: target.description, files: {} };
    // A different target (bucket/prefix) means nothing there is known to be staged.
    if (history.target !== target.description) history.files = {};
    history.target = target.description;
    let changed = false;
    for (const o of byDt.get(dt)!) {
      const prev = history.files[o.key];
      if (!opts.force && prev && prev.size === o.size && prev.rawLastModified === o.lastModified.toISOString()) {
        result.skipped++;
        opts.onFile?.(prev, true);
        continue;
      }
      const stagedKey = stagedKeyFor(layout, source, o.key);
      try {
        await target.put(stagedKey, await lake.read(o.key), o.size);
      } catch (e) {
        if (changed) await putJson(lake, hKey, history); // keep what did land, so a rerun resumes
        throw new EventlakeError(`staging ${o.key} to ${target.description}${stagedKey} failed`, {
          step: 'stage',
          cause: e,
          retryable: (e as EventlakeError).retryable ?? true,
          next: `eventlake stage ${source} --from ${dt} --to ${opts.to ?? dt}`,
          context: { rawKey: o.key, stagedKey },
        });
      }
      const f: StagedFile = { rawKey: o.key, stagedKey, size: o.size, rawLastModified: o.lastModified.toISOString(), stagedAt: new Date().toISOString() };
      history.files[o.key] = f;
      changed = true;
      result.staged.push(f);
      opts.onFile?.(f, false);
    }
    if (changed) {
      await putJson(lake, hKey, history);
      result.historyKeys.push(hKey);
    }
  }
  return result;
}
