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
    /** Transform + gzip in a worker thread, so delivery does not slow down acks (false: on the main thread). */
    deliveryThread: z.boolean().default(true),
    /** Segments delivered at once (each on its own thread when deliveryThread): 2 lets delivery use a second core
     *  while the HTTP thread is idle, e.g. when draining on shutdown (a segment's own gzip stream uses one core). */
    deliveryConcurrency: z.number().int().min(1).max(8).default(2),
    /** gzip level of delivered files. 1 (fastest) by default: on 2 cores level 6 costs ~4x the CPU of level 1 for
     *  ~5% smaller raw files, and the raw layer is compacted downstream anyway. */
    gzipLevel: z.number().int().min(1).max(9).default(1),
    /** Write-ahead log folder (local disk); default: <lake root>/../.eventlake-wal/<source>. */
    walDir: z.string().optional(),
    /** WAL entries as gzip members (at gzipLevel; `deflate` is this option's older name): ~5x fewer bytes for each
     *  fsync to push for JSON events, and delivery appends a member to the lake file as it is when the transform passes
     *  every record unchanged, so events are compressed once. `none` writes records uncompressed and delivery
     *  compresses them (more disk bytes per ack; for CPU-starved hosts with fast disks). */
    walCompression: z.enum(['gzip', 'deflate', 'none']).default('gzip'),
    /** Max bytes held in the WAL (acked, not yet delivered) before requests get 429 with Retry-After. */
    maxWalBytes: z.number().int().positive().default(512 * 1024 * 1024),
    /** Requests read or awaiting their ack at once (each body ≤ ~5.6 MiB); more get 429 with Retry-After: bounds memory. */
    maxInflightRequests: z.number().int().positive().default(64),
    /** Require an API key on every request (producers: `eventlake collector add-producer <name>`). */
    requireAuth: z.boolean().default(true),
    /** Producers: name + sha256 of the API key (keys themselves never live in config). */
    producers: z.array(z.object({ name: z.string().min(1), keySha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict()).default([]),
  })
  .strict()
  .prefault({});

export type CollectorConfig = z.infer<typeof collectorSchema>;
