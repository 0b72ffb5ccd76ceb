// The storage contract: every layer reads and writes the lake through this, so a local folder and S3 are
// interchangeable. Keys are '/'-separated, relative to the lake root, never starting with '/'.
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  /** Storage tier, e.g. "STANDARD", "GLACIER"; local storage reports "STANDARD" or "ARCHIVE". */
  storageClass?: string;
}

export interface PutOptions {
  contentType?: string;
  /** Refuse to overwrite an existing object (used for write-once raw files). */
  ifNotExists?: boolean;
}

export interface StorageCapabilities {
  /** Objects have a path on the local filesystem that engines can read directly. */
  localPaths: boolean;
  /** Supports listing (an uploader restricted to PutObject may not). */
  list: boolean;
}

export interface Storage {
  readonly kind: string;
  readonly capabilities: StorageCapabilities;
  /** Writes an object atomically: readers see the old object or the whole new one, never a part. */
  put(key: string, body: Buffer | string | Readable, opts?: PutOptions): Promise<{ key: string; size: number }>;
  /** Uploads a local file (may be a rename/copy locally, multipart on S3). */
  putFile(key: string, filePath: string, opts?: PutOptions): Promise<{ key: string; size: number }>;
  get(key: string): Promise<Buffer>;
  /** Streams an object; `range` is inclusive start/end byte offsets. */
  read(key: string, range?: { start: number; end?: number }): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Lists every object under a prefix (recursively), sorted by key. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  delete(key: string): Promise<void>;
  /** Deletes every object under a prefix; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  copy(fromKey: string, toKey: string): Promise<void>;
  /** Filesystem path of a key when capabilities.localPaths, else undefined. */
  localPath(key: string): string | undefined;
  /** A URI for humans and engines: a path locally, s3://bucket/key on S3. */
  uri(key: string): string;
}

export async function listAll(storage: Storage, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of storage.list(prefix)) out.push(o);
  return out;
}

export async function getJson<T>(storage: Storage, key: string): Promise<T | undefined> {
  if (!(await storage.head(key))) return undefined;
  return JSON.parse((await storage.get(key)).toString('utf8')) as T;
}

export async function putJson(storage: Storage, key: string, value: unknown): Promise<void> {
  await storage.put(key, JSON.stringify(value, null, 2) + '\n', { contentType: 'application/json' });
}

/** Validates a key: relative, no '..' segments, no empty segments, no backslashes or NUL. */
export function assertSafeKey(key: string): void {
  if (
    !key ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((seg) => seg === '..' || seg === '.' || seg === '')
  ) {
    throw new Error(`unsafe storage key: ${JSON.stringify(key)}`);
  }
}
