import { z } from 'zod';

export const engineSchema = z
  .object({
    kind: z.enum(['duckdb', 'athena']).default('duckdb'),
    duckdb: z
      .object({
        /** Database file for the embedded warehouse; relative to the lake root's parent. */
        path: z.string().default('warehouse.duckdb'),
        memoryLimit: z.string().default('1GB'),
        threads: z.number().int().min(1).max(64).optional(),
      })
      .strict()
      .prefault({}),
    athena: z
      .object({
        region: z.string().default('us-east-1'),
        endpoint: z.string().url().optional(),
        workgroup: z.string().default('eventlake'),
        database: z.string().default('eventlake'),
        outputLocation: z.string().optional(),
        kmsKeyId: z.string().optional(),
        pollIntervalMs: z.number().int().positive().default(1000),
      })
      .strict()
      .optional(),
  })
  .strict()
  .prefault({});

export const transformSchema = z
  .object({
    /** Parquet codec for cleaned and aggregated files (the seed asks for SNAPPY; ZSTD is smaller). */
    codec: z.enum(['zstd', 'snappy']).default('zstd'),
    quality: z
      .object({
        /** Fail a partition when more than this share of its records is quarantined. */
        maxQuarantineRatio: z.number().min(0).max(1).default(0.5),
        /** Fail a partition when more than this share of rows has an arrival date other than its dt. */
        maxOutsideDtRatio: z.number().min(0).max(1).default(0.01),
        /** When set, `eventlake quality` fails if the newest arrival is older than this many hours (else a warning). */
        freshnessMaxHours: z.number().positive().optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
