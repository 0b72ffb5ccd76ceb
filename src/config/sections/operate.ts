// Orchestration, alerts, governance, lifecycle. Loosely typed here; the owning modules validate details.
import { z } from 'zod';

export const operateSchema = z
  .object({
    pipelines: z.array(z.record(z.string(), z.unknown())).default([]),
    alerts: z.record(z.string(), z.unknown()).default({}),
    governance: z.record(z.string(), z.unknown()).default({}),
    lifecycle: z
      .object({
        rawArchiveAfterDays: z.number().int().min(1).default(90),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export const infraSchema = z
  .object({
    account: z.string().optional(),
    region: z.string().default('us-east-1'),
    stackPrefix: z.string().default('Eventlake'),
    bucketName: z.string().optional(),
    snowflakeIamUserArn: z.string().optional(),
    snowflakeExternalId: z.string().optional(),
  })
  .strict()
  .prefault({});
