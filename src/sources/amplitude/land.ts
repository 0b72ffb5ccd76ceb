// Lands one downloaded export zip into raw (bronze): every .json.gz entry is written AS IS (zip layer removed, the
// gzip bytes untouched) to raw/amplitude/dt=YYYY-MM-DD/hour=HH/<name>.json.gz while being verified end to end
// (gzip trailer, NDJSON line count, sha256). Hostile zips are rejected before the first write; if any entry fails
// later, the keys written by this attempt are removed, so a window is landed whole or not at all. Keys are derived
// from the entry names, so a rerun of the same window writes the same keys (replaces, never duplicates).
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '../../core/storage.ts';
import type { LakeLayout } from '../../lake/layout.ts';
import { mapLimit } from '../../core/retry.ts';
import { ExportZip, type CheckedEntry, type ZipLimits } from './zip-entries.ts';
import { gzipCheck } from './gzip-check.ts';
import { SOURCE } from './names.ts';

export interface LandedEntry {
  entry: string; // path inside the zip
  key: string; // raw key
  dt: string;
  hour: number;
  bytes: number;
  sha256: string;
  events: number;
  inflatedBytes: number;
}

export interface LandResult {
  entries: LandedEntry[];
  bytes: number;
  events: number;
  inflatedBytes: number;
}

export interface LandOptions {
  storage: Storage;
  layout: LakeLayout;
  step: string;
  limits: ZipLimits;
  /** Entries verified and written at the same time (isal inflates in this thread; zlib on the libuv thread pool). */
  entryConcurrency: number;
  onEntry?: (e: LandedEntry) => void;
}

export function rawKeyFor(layout: LakeLayout, ce: CheckedEntry): string {
  return layout.rawKey(SOURCE, ce.name.dt, ce.name.hour, ce.name.keyName);
}

// An entry's slot is free for the next entry once its bytes are verified; the storage finishes it (fsync, rename)
// meanwhile, at most this many at a time. (2M-event export, local storage with fsync: 3.6 -> 3.3 s; the fsyncs
// alone were ~0.35 s of the landing's wall time.)
const MAX_PENDING_COMMITS = 8;

export async function landExportZip(zipFile: string, o: LandOptions): Promise<LandResult> {
  const zip = await ExportZip.open(zipFile, { step: o.step, limits: o.limits });
  const written: string[] = [];
  const commits = new Set<Promise<void>>();
  try {
    const landed = await mapLimit(zip.entries, o.entryConcurrency, async (ce) => {
      const key = rawKeyFor(o.layout, ce);
      const check = gzipCheck({
        step: o.step,
        label: `${basename(zipFile)}: entry ${ce.path}`,
        context: { zip: zipFile, entry: ce.path, key },
        maxInflatedBytes: o.limits.maxEntryBytes,
        maxRatio: o.limits.maxCompressionRatio,
      });
      while (commits.size >= MAX_PENDING_COMMITS) await Promise.race(commits);
      const src = await zip.openStream(ce);
      written.push(key);
      const put = o.storage.put(key, check.tap);
      try {
        await pipeline(src, check.tap); // resolves once the gzip trailer and line count checked out
      } catch (err) {
        check.tap.destroy();
        await put.catch(() => undefined);
        throw zip.entryError(ce, err);
      }
      const entry: LandedEntry = { entry: ce.path, key, dt: ce.name.dt, hour: ce.name.hour, ...check.result() };
      const commit = put.then(
        () => o.onEntry?.(entry),
        (err: unknown) => {
          throw zip.entryError(ce, err);
        },
      );
      const pending: Promise<void> = commit.then(
        () => void commits.delete(pending),
        () => void commits.delete(pending),
      );
      commits.add(pending);
      commit.catch(() => undefined); // awaited below; this only marks the rejection handled if we fail earlier
      return { entry, commit };
    });
    await Promise.all(landed.map((l) => l.commit));
    const entries = landed.map((l) => l.entry);
    return {
      entries,
      bytes: entries.reduce((s, e) => s + e.bytes, 0),
      events: entries.reduce((s, e) => s + e.events, 0),
      inflatedBytes: entries.reduce((s, e) => s + e.inflatedBytes, 0),
    };
  } catch (err) {
    // Not landed as a whole: remove what this attempt wrote (a rerun writes the same keys again), once no write of
    // it is still in flight.
    await Promise.allSettled([...commits]);
    await Promise.all(written.map((k) => o.storage.delete(k).catch(() => undefined)));
    throw err;
  } finally {
    zip.close();
  }
}
