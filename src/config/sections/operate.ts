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
