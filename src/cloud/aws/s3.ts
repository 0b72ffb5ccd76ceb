// The only module that talks to Amazon S3 (AWS SDK v3 + lib-storage). It speaks in plain types and
// EventlakeErrors so callers (S3 storage, the stage uploader) never see SDK shapes.
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { EventlakeError } from '../../core/errors.ts';

export interface S3ApiOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** KMS key id/ARN/alias: every write carries x-amz-server-side-encryption: aws:kms + this key. */
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
  /** Bodies of unknown or larger size go through multipart (lib-storage). */
  multipartThresholdBytes?: number;
  partSizeBytes?: number;
  /** Parallel part uploads per object. */
  queueSize?: number;
  /** SDK attempts per call (throttling/5xx are retried by the SDK's standard retry strategy). */
  maxAttempts?: number;
  /** 'WHEN_SUPPORTED' (AWS default) or 'WHEN_REQUIRED' for S3-compatible servers that reject flexible checksums. */
  checksums?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  /** 'v2' (ListObjectsV2, continuation tokens) or 'v1' (ListObjects with Marker) for servers with broken V2 paging. */
  listApi?: 'v2' | 'v1';
  /** Keys per list page (S3 caps it at 1000); smaller only in tests. */
  listPageSize?: number;
  /** Named AWS profile; default: the SDK's default credential chain. */
  profile?: string;
  /** Extra SDK client config (credentials for tests, custom request handler). */
  clientConfig?: Partial<S3ClientConfig>;
}

export interface S3ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  storageClass?: string;
  etag?: string;
}

const STEP = 'storage.s3';

/** Maps SDK errors to EventlakeErrors with codes the storage layer understands. */
export function mapS3Error(e: unknown, what: string): EventlakeError {
  if (e instanceof EventlakeError) return e;
  const err = e as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  const name = err.name ?? err.Code ?? 'Error';
  const base = `${what}: ${name}${err.message && err.message !== name ? ` (${err.message})` : ''}`;
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new EventlakeError(`object not found: ${what}`, { step: STEP, code: 'NOT_FOUND', cause: e });
  }
  if (name === 'PreconditionFailed' || status === 412 || name === 'ConditionalRequestConflict' || status === 409) {
    return new EventlakeError(`object already exists: ${what}`, { step: STEP, code: 'EXISTS', cause: e });
  }
  if (name === 'NotImplemented' || status === 501) {
    return new EventlakeError(`not implemented by this S3 server: ${base}`, { step: STEP, code: 'NOT_IMPLEMENTED', cause: e });
  }
  if (name === 'AccessDenied' || status === 403) {
    return new EventlakeError(`access denied: ${base}`, {
      step: STEP,
      code: 'AUTH',
      cause: e,
      next: 'check the AWS credentials/role (s3:PutObject/GetObject/ListBucket and kms:GenerateDataKey/Decrypt on the key)',
    });
  }
  const retryable = status === undefined || status === 429 || status >= 500 || /Throttl|SlowDown|Timeout|ECONNRESET/i.test(base);
  return new EventlakeError(base, { step: STEP, code: status ? `HTTP_${status}` : 'S3', retryable, cause: e });
}

export class S3Api {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly o: Readonly<S3ApiOptions>;

  constructor(opts: S3ApiOptions) {
    this.o = Object.freeze({ ...opts });
    this.bucket = opts.bucket;
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle ?? false,
      profile: opts.profile,
      maxAttempts: opts.maxAttempts ?? 5,
      retryMode: 'standard',
      requestChecksumCalculation: opts.checksums ?? 'WHEN_SUPPORTED',
      responseChecksumValidation: opts.checksums ?? 'WHEN_SUPPORTED',
      ...opts.clientConfig,
    });
  }

  /** SSE parameters every write carries, so a DenyUnEncryptedObjectUploads bucket policy never rejects us. */
  private sse(): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string; BucketKeyEnabled?: boolean } {
    if (!this.o.kmsKeyId) return {};
    return { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.o.kmsKeyId, BucketKeyEnabled: this.o.bucketKeyEnabled ?? true };
  }

  /**
   * Writes one object. Buffers below the multipart threshold go in one PutObject; streams and large buffers go
   * through lib-storage's Upload (one PutObject when the stream turns out small, else multipart). Either way the
   * object only becomes visible when complete. `ifNoneMatch` sends If-None-Match: * (conditional write).
   */
  async put(key: string, body: Buffer | Readable, opts: { contentType?: string; ifNoneMatch?: boolean } = {}): Promise<void> {
    const params = {
      Bucket: this.bucket,
      Key: key,
      ContentType: opts.contentType,
      ...(opts.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      ...this.sse(),
    };
    const threshold = this.o.multipartThresholdBytes ?? 16 * 1024 * 1024;
    try {
      if (Buffer.isBuffer(body) && body.length < threshold) {
        await this.client.send(new PutObjectCommand({ ...params, Body: body, ContentLength: body.length }));
        return;
      }
      const upload = new Upload({
        client: this.client,
        params: { ...params, Body: body },
        partSize: this.o.partSizeBytes ?? 16 * 1024 * 1024,
        queueSize: this.o.queueSize ?? 4,
        leavePartsOnError: false, // abort the multipart upload so no parts linger
      });
      await upload.done();
    } catch (e) {
      if (body instanceof Readable && !body.destroyed) body.destroy();
      // A failure of the source stream is the caller's error, not S3's.
      if (body instanceof Readable && body.errored && !(e as { $metadata?: unknown }).$metadata) throw body.errored;
      throw mapS3Error(e, `put s3://${this.bucket}/${key}`);
    }
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    try {
      const r = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
        }),
      );
      const b = r.Body;
      if (!b) throw new Error('empty body');
      return b instanceof Readable ? b : Readable.fromWeb(b as never);
    } catch (e) {
      throw mapS3Error(e, `s3://${this.bucket}/${key}`);
    }
  }

  async head(key: string): Promise<S3ObjectInfo | undefined> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: r.ContentLength ?? 0,
        lastModified: r.LastModified ?? new Date(0),
        storageClass: r.StorageClass ?? 'STANDARD',
        etag: r.ETag,
      };
    } catch (e) {
      const m = mapS3Error(e, `head s3://${this.bucket}/${key}`);
      if (m.code === 'NOT_FOUND') return undefined;
      throw m;
    }
  }

  /** Every object under a prefix, page by page (S3 returns keys in UTF-8 binary order). */
  async *list(prefix: string, pageSize = this.o.listPageSize ?? 1000): AsyncIterable<S3ObjectInfo> {
    let token: string | undefined;
    let marker: string | undefined;
    for (;;) {
      let contents;
      let truncated: boolean | undefined;
      try {
        if (this.o.listApi === 'v1') {
          const r = await this.client.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix, Marker: marker, MaxKeys: pageSize }));
          contents = r.Contents ?? [];
          truncated = r.IsTruncated;
          marker = r.NextMarker ?? contents.at(-1)?.Key; // NextMarker is only returned with a delimiter
        } else {
          const r = await this.client.send(
            new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: pageSize }),
          );
          contents = r.Contents ?? [];
          truncated = r.IsTruncated;
          token = r.NextContinuationToken;
        }
      } catch (e) {
        throw mapS3Error(e, `list s3://${this.bucket}/${prefix}`);
      }
      for (const c of contents) {
        if (!c.Key) continue;
        yield { key: c.Key, size: c.Size ?? 0, lastModified: c.LastModified ?? new Date(0), storageClass: c.StorageClass ?? 'STANDARD', etag: c.ETag };
      }
      if (!truncated || (this.o.listApi === 'v1' ? !marker : !token)) return;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      throw mapS3Error(e, `delete s3://${this.bucket}/${key}`);
    }
  }

  /** DeleteObjects for up to 1000 keys; throws NOT_IMPLEMENTED when the server lacks multi-delete. */
  async deleteMany(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    if (keys.length > 1000) throw new Error('deleteMany: at most 1000 keys per call');
    let r;
    try {
      r = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
      );
    } catch (e) {
      throw mapS3Error(e, `delete ${keys.length} objects in s3://${this.bucket}`);
    }
    const errs = r.Errors ?? [];
    if (errs.length) {
      throw new EventlakeError(`delete failed for ${errs.length} of ${keys.length} objects, first: ${errs[0]?.Key} ${errs[0]?.Code}`, {
        step: STEP,
        retryable: true,
        context: { keys: errs.slice(0, 10).map((x) => x.Key) },
      });
    }
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          CopySource: `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
          ...this.sse(),
        }),
      );
    } catch (e) {
      throw mapS3Error(e, `copy s3://${this.bucket}/${fromKey} -> ${toKey}`);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
