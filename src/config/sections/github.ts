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
        timeoutMs: z.number().int().positive().default(30_000),
        retry: retrySchema,
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
