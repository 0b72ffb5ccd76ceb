// S3 storage: the lake on a bucket (AWS or any S3-compatible endpoint). Same keys as the local lake, under an
// optional bucket prefix. All AWS calls go through src/cloud/aws/s3.ts.
//   atomic puts: a single PutObject or a completed multipart upload is all-or-nothing on S3.
//   ifNotExists: If-None-Match: * (S3 conditional writes), or head-then-put for servers that ignore the header.
//   deletePrefix: DeleteObjects in batches of 1000, single deletes when the server lacks multi-delete.
import { createReadStream, promises as fs } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { assertSafeKey, type ObjectInfo, type PutOptions, type Storage } from '../../core/storage.ts';
import { EventlakeError } from '../../core/errors.ts';
import { S3Api, type S3ApiOptions } from '../../cloud/aws/s3.ts';

export interface S3StorageOptions extends S3ApiOptions {
  /** Key prefix inside the bucket ('' = bucket root); the lake's keys live under it. */
  prefix?: string;
  /** How ifNotExists is enforced: 'if-none-match' (atomic, AWS S3 since 2024) or 'head-then-put' (racy fallback). */
  conditionalWrites?: 'if-none-match' | 'head-then-put';
  /** Keys per DeleteObjects call (S3 max 1000); smaller only in tests. */
  deleteBatchSize?: number;
}


export class S3Storage implements Storage {
  readonly kind = 's3';
  readonly capabilities = { localPaths: false, list: true } as const;
  readonly api: S3Api;
  private readonly prefix: string;
  private readonly conditional: 'if-none-match' | 'head-then-put';
  private readonly threshold: number;
  /** Set once the server answered NotImplemented to DeleteObjects, so later batches go straight to single deletes. */
  private multiDelete = { supported: true };
  private readonly deleteBatchSize: number;

  constructor(opts: S3StorageOptions) {
    this.api = new S3Api(opts);
    const p = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.prefix = p ? `${p}/` : '';
    this.conditional = opts.conditionalWrites ?? 'if-none-match';
    this.threshold = opts.multipartThresholdBytes ?? 16 * 1024 * 1024;
    this.deleteBatchSize = Math.min(1000, opts.deleteBatchSize ?? 1000);
  }

  private k(key: string): string {
    assertSafeKey(key);
    return this.prefix + key;
  }

  localPath(): undefined {
    return undefined;
  }

  uri(key: string): string {
    return `s3://${this.api.bucket}/${this.k(key)}`;
  }

  private async refuseIfExists(key: string, opts?: PutOptions): Promise<boolean> {
    if (!opts?.ifNotExists) return false;
    if (this.conditional === 'if-none-match') return true;
    if (await this.api.head(this.k(key))) {
      throw new EventlakeError(`object already exists: ${this.uri(key)}`, { step: 'storage.s3', code: 'EXISTS' });
    }
    return false;
  }

  async put(key: string, body: Buffer | string | Readable, opts?: PutOptions): Promise<{ key: string; size: number }> {
    const full = this.k(key);
    const ifNoneMatch = await this.refuseIfExists(key, opts);
    if (body instanceof Readable) {
      let size = 0;
      const counter = new PassThrough();
      counter.on('data', (c: Buffer) => (size += c.length));
      body.on('error', (e) => counter.destroy(e));
      body.pipe(counter);
      await this.api.put(full, counter, { contentType: opts?.contentType, ifNoneMatch }).catch((e) => {
        throw body.errored ?? e;
      });
      return { key, size };
    }
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await this.api.put(full, buf, { contentType: opts?.contentType, ifNoneMatch });
    return { key, size: buf.length };
  }

  async putFile(key: string, filePath: string, opts?: PutOptions): Promise<{ key: string; size: number }> {
    const { size } = await fs.stat(filePath);
    const full = this.k(key);
    const ifNoneMatch = await this.refuseIfExists(key, opts);
    const body = size < this.threshold ? await fs.readFile(filePath) : createReadStream(filePath);
    await this.api.put(full, body, { contentType: opts?.contentType, ifNoneMatch });
    return { key, size };
  }

  async get(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.api.get(this.k(key))) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async read(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    return this.api.get(this.k(key), range);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const h = await this.api.head(this.k(key));
    return h && { key, size: h.size, lastModified: h.lastModified, storageClass: h.storageClass };
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const o of this.api.list(this.prefix + prefix)) {
      yield { key: o.key.slice(this.prefix.length), size: o.size, lastModified: o.lastModified, storageClass: o.storageClass };
    }
  }

  async delete(key: string): Promise<void> {
    await this.api.delete(this.k(key));
  }

  async deletePrefix(prefix: string): Promise<number> {
    let n = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await this.deleteBatch(batch);
      n += batch.length;
      batch = [];
    };
    // Listing is paginated and lazy; deleting a page already listed does not disturb the continuation token.
    for await (const o of this.api.list(this.prefix + prefix)) {
      batch.push(o.key);
      if (batch.length >= this.deleteBatchSize) await flush();
    }
    await flush();
    return n;
  }

  private async deleteBatch(fullKeys: string[]): Promise<void> {
    if (this.multiDelete.supported) {
      try {
        await this.api.deleteMany(fullKeys);
        return;
      } catch (e) {
        if ((e as EventlakeError).code !== 'NOT_IMPLEMENTED') throw e;
        this.multiDelete.supported = false;
      }
    }
    for (const k of fullKeys) await this.api.delete(k);
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    await this.api.copy(this.k(fromKey), this.k(toKey));
  }

  close(): void {
    this.api.destroy();
  }
}
