// Moving data between the lake (any Storage) and the local folders DuckDB reads and writes.
// - raw files: used in place when the storage has local paths, else downloaded to a temp folder mirroring keys;
// - promotion: a staged folder replaces one partition (or a whole table) of the lake: every staged file is PUT
//   (atomic per object, fixed names like part-0.parquet so a rerun overwrites the same keys), then keys the new
//   build did not write are deleted. Readers see the old partition or the new one file by file, never a mix of
//   partial files.
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createReadStream } from 'node:fs';
import { listAll, type Storage } from '../core/storage.ts';
import { codec } from '../codec/index.ts';
import { partitionOf } from '../lake/layout.ts';

export const RAW_FILE_RE = /\.(json|ndjson)(\.gz)?$/;

/** Raw object keys of a source grouped by dt, dts sorted, filtered to [from, to] when given. */
export async function rawKeysByDt(storage: Storage, rawPrefix: string, from?: string, to?: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const o of await listAll(storage, rawPrefix)) {
    if (!RAW_FILE_RE.test(o.key)) continue;
    const { dt } = partitionOf(o.key);
    if (!dt || (from && dt < from) || (to && dt > to)) continue;
    const list = out.get(dt) ?? [];
    list.push(o.key);
    out.set(dt, list);
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** Local paths for keys: in place on local storage, else downloaded under `tmp/<key>`. */
export async function localCopies(storage: Storage, keys: string[], tmp: string): Promise<string[]> {
  const paths: string[] = [];
  for (const key of keys) {
    const local = storage.capabilities.localPaths ? storage.localPath(key) : undefined;
    if (local) {
      paths.push(local);
      continue;
    }
    const dest = join(tmp, ...key.split('/'));
    mkdirSync(dirname(dest), { recursive: true });
    await pipeline(await storage.read(key), createWriteStream(dest));
    paths.push(dest);
  }
  return paths;
}

/** A local folder holding everything under `prefix` (in place, or downloaded into `tmp`). */
export async function localTree(storage: Storage, prefix: string, tmp: string): Promise<string> {
  const clean = prefix.replace(/\/+$/, '');
  if (storage.capabilities.localPaths) {
    const p = storage.localPath(clean);
    if (p) return p;
  }
  const keys = (await listAll(storage, clean + '/')).map((o) => o.key);
  await localCopies(storage, keys, tmp);
  return join(tmp, ...clean.split('/'));
}

function walkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** Replaces everything under `prefix` with the files of `localDir` (relative paths kept). Returns the keys written. */
export async function promoteDir(storage: Storage, localDir: string, prefix: string): Promise<string[]> {
  const base = prefix.endsWith('/') ? prefix : prefix + '/';
  const written: string[] = [];
  for (const f of walkFiles(localDir)) {
    const key = base + relative(localDir, f).split(sep).join('/');
    await storage.putFile(key, f);
    written.push(key);
  }
  const keep = new Set(written);
  for (const o of await listAll(storage, base)) if (!keep.has(o.key)) await storage.delete(o.key);
  return written;
}

/** Gzips a local file into the lake at `key` (or deletes `key` when the file is empty: a rerun leaves no stale rejects). */
export async function putGzipOrDelete(storage: Storage, localFile: string, key: string, tmp: string): Promise<boolean> {
  if (!existsSync(localFile) || statSync(localFile).size === 0) {
    if (await storage.head(key)) await storage.delete(key);
    return false;
  }
  const gz = join(tmp, 'quarantine.ndjson.gz');
  await pipeline(createReadStream(localFile), codec().createGzip(), createWriteStream(gz));
  await storage.putFile(key, gz, { contentType: 'application/gzip' });
  return true;
}

export { walkFiles };
