import { z } from 'zod';
import { retrySchema } from './common.ts';

export const amplitudeSchema = z
  .object({
    region: z.enum(['us', 'eu']).default('us'),
    /** Overrides the region's base URL (tests, proxies). The export path /api/2/export is appended. */
    baseUrl: z.string().url().optional(),
    /** Names of the environment variables holding the keys (values never live in config). */
    apiKeyEnv: z.string().default('AMPLITUDE_API_KEY'),
    secretKeyEnv: z.string().default('AMPLITUDE_SECRET_KEY'),
    /** Window size requested per API call, in hours (split in halves on 400/504 down to 1 h). */
    windowHours: z.number().int().min(1).max(24 * 31).default(24),
    /** Windows downloaded and landed at the same time. */
    concurrency: z.number().int().min(1).max(16).default(2),
    /** Zip entries verified (inflated) and written at the same time within one window; 0 = number of CPUs. */
    entryConcurrency: z.number().int().min(0).max(64).default(0),
    /** Data becomes exportable ~2 h after receipt: younger hours are refused unless --force. */
    minAgeHours: z.number().min(0).default(2),
    /** Idle timeout per request: no answer or no body bytes for this long -> retried. */
    timeoutMs: z.number().int().positive().default(300_000),
    retry: retrySchema,
    /** Zip-bomb guards. */
    maxEntries: z.number().int().positive().default(100_000),
    maxEntryBytes: z.number().int().positive().default(4 * 1024 ** 3),
    maxTotalUncompressedBytes: z.number().int().positive().default(64 * 1024 ** 3),
    maxCompressionRatio: z.number().positive().default(200),
  })
  .strict()
  .prefault({});
