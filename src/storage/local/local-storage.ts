// Local-folder storage: the default lake. Writes go to a temp file in the same directory then rename(2),
// which is atomic on POSIX filesystems, so readers never see partial objects.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { assertSafeKey, type ObjectInfo, type PutOptions, type Storage } from '../../core/storage.ts';
import { EventlakeError } from '../../core/errors.ts';

export interface LocalStorageOptions {
  root: string;
  /** fsync files before rename (durability across power loss); on by default. */
  fsync?: boolean;
}

const TMP_MARK = '.eventlake-tmp-';

export class LocalStorage implements Storage {
  readonly kind = 'local';
  readonly capabilities = { localPaths: true, list: true } as const;
  readonly root: string;
  private readonly fsync: boolean;

  constructor(opts: LocalStorageOptions) {
    this.root = opts.root;
    this.fsync = opts.fsync ?? true;
    Object.freeze(this);
  }

  private path(key: string): string {
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }

  localPath(key: string): string {
    return this.path(key);
  }

  uri(key: string): string {
    return this.path(key);
  }

  private async commit(tmp: string, dest: string, opts?: PutOptions): Promise<void> {
    if (opts?.ifNotExists) {
      try {
        await fs.link(tmp, dest); // fails with EEXIST atomically
        await fs.unlink(tmp);
        return;
      } catch (e) {
        await fs.rm(tmp, { force: true });
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new EventlakeError(`object already exists: ${dest}`, { step: 'storage.local', code: 'EXISTS' });
        }
        throw e;
      }
    }
    await fs.rename(tmp, dest);
  }

  private tmpPath(dest: string): string {
    return join(dirname(dest), `${TMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  async put(key: string, body: Buffer | string | Readable, opts?: PutOptions): Promise<{ key: string; size: number }> {
    const dest = this.path(key);
    await fs.mkdir(dirname(dest), { recursive: true });
    const tmp = this.tmpPath(dest);
    try {
      if (body instanceof Readable) {
        await pipeline(body, createWriteStream(tmp));
        if (this.fsync) await fsyncFile(tmp);
      } else {
        const fh = await fs.open(tmp, 'w');
        try {
          await fh.writeFile(body);
          if (this.fsync) await fh.sync();
        } finally {
          await fh.close();
        }
      }
      const { size } = await fs.stat(tmp);
      await this.commit(tmp, dest, opts);
      return { key, size };
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  async putFile(key: string, filePath: string, opts?: PutOptions): Promise<{ key: string; size: number }> {
    const dest = this.path(key);
    await fs.mkdir(dirname(dest), { recursive: true });
    const tmp = this.tmpPath(dest);
    try {
      await fs.copyFile(filePath, tmp);
      if (this.fsync) await fsyncFile(tmp);
      const { size } = await fs.stat(tmp);
      await this.commit(tmp, dest, opts);
      return { key, size };
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.path(key));
    } catch (e) {
      throw notFound(key, e);
    }
  }

  async read(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    const p = this.path(key);
    try {
      await fs.access(p);
    } catch (e) {
      throw notFound(key, e);
    }
    return createReadStream(p, range ? { start: range.start, end: range.end } : undefined);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const st = await fs.stat(this.path(key));
      if (!st.isFile()) return undefined;
      return { key, size: st.size, lastModified: st.mtime, storageClass: 'STANDARD' };
    } catch {
      return undefined;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Walk the deepest directory named by the prefix, then filter by the full prefix string.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash >= 0 ? prefix.slice(0, slash) : '';
    const start = dirKey ? this.path(dirKey) : this.root;
    const out: ObjectInfo[] = [];
    await walk(start, async (file, st) => {
      const key = relative(this.root, file).split(sep).join('/');
      if (key.startsWith(prefix) && !file.includes(TMP_MARK)) {
        out.push({ key, size: st.size, lastModified: st.mtime, storageClass: 'STANDARD' });
      }
    });
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    yield* out;
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.path(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    let n = 0;
    for await (const o of this.list(prefix)) {
      await this.delete(o.key);
      n++;
    }
    return n;
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    await this.putFile(toKey, this.path(fromKey));
  }
}

async function fsyncFile(p: string): Promise<void> {
  const fh = await fs.open(p, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function notFound(key: string, cause: unknown): Error {
  if ((cause as NodeJS.ErrnoException)?.code === 'ENOENT') {
    return new EventlakeError(`object not found: ${key}`, { step: 'storage.local', code: 'NOT_FOUND', cause });
  }
  return cause as Error;
}

async function walk(dir: string, visit: (file: string, st: import('node:fs').Stats) => Promise<void>): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw e;
  }
  for (const ent of entries) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) await walk(p, visit);
    else if (ent.isFile() && !ent.name.includes(TMP_MARK)) {
      // A concurrent writer's rename or delete can remove the file between readdir and stat: it is simply not listed.
      let st: import('node:fs').Stats;
      try {
        st = await fs.stat(p);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      await visit(p, st);
    }
  }
}
