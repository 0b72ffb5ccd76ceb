import { z } from 'zod';

export const collectorSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8787),
    source: z.string().default('github'),
    /** Firehose buffering hints. */
    bufferSizeMiB: z.number().min(1).max(128).default(5),
    bufferIntervalSeconds: z.number().min(0).max(900).default(300),
    /** "hive" = raw/<source>/dt=/hour=/ ; "firehose" = raw/<source>/YYYY/MM/DD/HH/ */
    prefixStyle: z.enum(['hive', 'firehose']).default('hive'),
    errorPrefix: z.string().default('raw-errors'),
    /** Max bytes the WAL may hold before answering 503 with Retry-After. */
    maxWalBytes: z.number().int().positive().default(512 * 1024 * 1024),
    /** Producers: name + sha256 of the API key (keys themselves never live in config). */
    producers: z.array(z.object({ name: z.string().min(1), keySha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict()).default([]),
  })
  .strict()
  .prefault({});
