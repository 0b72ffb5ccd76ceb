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

export async function landExportZip(zipFile: string, o: LandOptions): Promise<LandResult> {
  const zip = await ExportZip.open(zipFile, { step: o.step, limits: o.limits });
  const written: string[] = [];
  try {
    const entries = await mapLimit(zip.entries, o.entryConcurrency, async (ce) => {
      const key = rawKeyFor(o.layout, ce);
      const check = gzipCheck({
        step: o.step,
        label: `${basename(zipFile)}: entry ${ce.path}`,
        context: { zip: zipFile, entry: ce.path, key },
        maxInflatedBytes: o.limits.maxEntryBytes,
        maxRatio: o.limits.maxCompressionRatio,
      });
      const src = await zip.openStream(ce);
      written.push(key);
      try {
        await Promise.all([pipeline(src, check.tap), o.storage.put(key, check.tap)]);
      } catch (err) {
        check.tap.destroy();
        throw zip.entryError(ce, err);
      }
      const r = check.result();
      const landed: LandedEntry = { entry: ce.path, key, dt: ce.name.dt, hour: ce.name.hour, ...r };
      o.onEntry?.(landed);
      return landed;
    });
    return {
      entries,
      bytes: entries.reduce((s, e) => s + e.bytes, 0),
      events: entries.reduce((s, e) => s + e.events, 0),
      inflatedBytes: entries.reduce((s, e) => s + e.inflatedBytes, 0),
    };
  } catch (err) {
    // Not landed as a whole: remove what this attempt wrote (a rerun writes the same keys again).
    await Promise.all(written.map((k) => o.storage.delete(k).catch(() => undefined)));
    throw err;
  } finally {
    zip.close();
  }
}
