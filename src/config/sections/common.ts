import { z } from 'zod';

export const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).default(5),
    baseMs: z.number().int().min(0).default(500),
    maxMs: z.number().int().min(0).default(30_000),
  })
  .strict()
  .prefault({});
export type RetryConfig = z.infer<typeof retrySchema>;
