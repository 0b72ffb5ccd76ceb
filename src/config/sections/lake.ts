import { z } from 'zod';

export const lakeSchema = z
  .object({
    /** Lake root folder for local storage (relative paths are resolved against the config file's folder). */
    root: z.string().min(1).default('./lake'),
    prefixes: z
      .object({
        raw: z.string().default('raw'),
        stage: z.string().default('python-import'),
        cleaned: z.string().default('cleaned'),
        aggregated: z.string().default('aggregated'),
        quarantine: z.string().default('quarantine'),
        meta: z.string().default('_eventlake'),
        archive: z.string().default('archive'),
      })
      .strict()
      .prefault({}),
    /** Scratch space for downloads (zip files) and engine spill; defaults to <root>/../.eventlake-tmp */
    tmpDir: z.string().optional(),
  })
  .strict()
  .prefault({});

/** One S3 location (bucket + prefix) and how to talk to it. Credentials: the AWS default chain, or `profile`. */
export const s3LocationSchema = z
  .object({
    bucket: z.string().min(1),
    region: z.string().default('us-east-1'),
    endpoint: z.string().url().optional(),
    forcePathStyle: z.boolean().default(false),
    kmsKeyId: z.string().optional(),
    bucketKeyEnabled: z.boolean().default(true),
    multipartThresholdBytes: z.number().int().positive().default(16 * 1024 * 1024),
    partSizeBytes: z.number().int().min(5 * 1024 * 1024).default(16 * 1024 * 1024),
    prefix: z.string().default(''),
    /** Named AWS profile (shared config/credentials files); default: the SDK's default credential chain. */
    profile: z.string().optional(),
    /** ifNotExists via If-None-Match: * (AWS S3) or head-then-put for S3-compatible servers that ignore it. */
    conditionalWrites: z.enum(['if-none-match', 'head-then-put']).default('if-none-match'),
    /** Flexible checksums: WHEN_SUPPORTED (AWS) or WHEN_REQUIRED for S3-compatible servers (MinIO, s3rver, …). */
    checksums: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).default('WHEN_SUPPORTED'),
    /** SDK attempts per call; throttling (503 SlowDown) and 5xx are retried with backoff. */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    /** ListObjectsV2 (default) or V1 with Marker for S3-compatible servers whose V2 paging is broken. */
    listApi: z.enum(['v2', 'v1']).default('v2'),
    queueSize: z.number().int().min(1).max(64).default(4),
  })
  .strict();

export const storageSchema = z
  .object({
    kind: z.enum(['local', 's3']).default('local'),
    s3: s3LocationSchema.optional(),
    /**
     * Where `eventlake stage` PUTs files for the Snowflake stage when it is not the lake itself, e.g. the seed's
     * bucket with an uploader role that may only s3:PutObject on python-import/* (no List/Get needed).
     */
    stageS3: s3LocationSchema.optional(),
  })
  .strict()
  .prefault({});
