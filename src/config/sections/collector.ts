import { z } from 'zod';

// The streaming collector (a plugin of `eventlake serve`). Host and port are flags of `eventlake serve`.
export const collectorSchema = z
  .object({
    /** Lake source the records land under: raw/<source>/... */
    source: z.string().regex(/^[a-z0-9_-]+$/).default('github'),
    /** Firehose buffering hints: deliver when the buffer holds this much ... */
    bufferSizeMiB: z.number().min(1).max(128).default(5),
    /** ... or when its oldest record is this old (0 = as soon as possible). */
    bufferIntervalSeconds: z.number().min(0).max(900).default(300),
    /** "hive" = raw/<source>/dt=YYYY-MM-DD/hour=HH/ ; "firehose" = raw/<source>/YYYY/MM/DD/HH/ (arrival time, UTC). */
    prefixStyle: z.enum(['hive', 'firehose']).default('hive'),
    /** Records the transform fails land under <errorPrefix>/<source>/processing-failed/dt=/hour=/ with the reason. */
    errorPrefix: z.string().default('raw-errors'),
    /** "github" (validate + normalise GitHub events), "none" (pass through), or a module path exporting a Firehose Lambda `handler`. */
    transform: z.string().default('github'),
    /** gzip level of delivered files (1 = fastest). */
    gzipLevel: z.number().int().min(1).max(9).default(6),
    /** Write-ahead log folder (local disk); default: <lake root>/../.eventlake-wal/<source>. */
    walDir: z.string().optional(),
    /** Max bytes held in the WAL (acked, not yet delivered) before requests get 429 with Retry-After. */
    maxWalBytes: z.number().int().positive().default(512 * 1024 * 1024),
    /** Require an API key on every request (producers: `eventlake collector add-producer <name>`). */
    requireAuth: z.boolean().default(true),
    /** Producers: name + sha256 of the API key (keys themselves never live in config). */
    producers: z.array(z.object({ name: z.string().min(1), keySha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict()).default([]),
  })
  .strict()
  .prefault({});

export type CollectorConfig = z.infer<typeof collectorSchema>;
