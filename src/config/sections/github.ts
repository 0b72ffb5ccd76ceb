import { z } from 'zod';
import { retrySchema } from './common.ts';

export const githubSchema = z
  .object({
    gharchive: z
      .object({
        baseUrl: z.string().url().default('https://data.gharchive.org'),
        mirrors: z.array(z.string().url()).default([]),
        concurrency: z.number().int().min(1).max(16).default(4),
        timeoutMs: z.number().int().positive().default(300_000),
        retry: retrySchema,
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        baseUrl: z.string().url().default('https://api.github.com'),
        tokenEnv: z.string().default('GITHUB_TOKEN'),
        perPage: z.number().int().min(1).max(100).default(100),
        maxPages: z.number().int().min(1).max(10).default(3),
        /** Default scope: "events" (public timeline), "repos/<o>/<r>", "orgs/<org>" or "users/<u>". */
        scope: z.string().default('events'),
        /** Minimum seconds between polls; the server's X-Poll-Interval wins when larger. */
        pollIntervalSec: z.number().min(0).default(60),
        /** How many recently seen event ids are remembered (persisted under _eventlake/state) for dedup. */
        seenIdsMax: z.number().int().min(100).max(1_000_000).default(10_000),
        /** Longest wait for a rate-limit reset before giving up with an error. */
        maxRateLimitWaitSec: z.number().int().min(1).default(3_900),
        timeoutMs: z.number().int().positive().default(30_000),
        retry: retrySchema,
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
