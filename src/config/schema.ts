// The whole configuration, one section per concern (each section file is owned by that concern's module).
import { z } from 'zod';
import { lakeSchema, storageSchema } from './sections/lake.ts';
import { amplitudeSchema } from './sections/amplitude.ts';
import { githubSchema } from './sections/github.ts';
import { engineSchema, transformSchema } from './sections/engine.ts';
import { warehouseSchema } from './sections/warehouse.ts';
import { collectorSchema } from './sections/collector.ts';
import { operateSchema } from './sections/operate.ts';
import { infraSchema } from './sections/infra.ts';

export const configSchema = z
  .object({
    lake: lakeSchema,
    storage: storageSchema,
    amplitude: amplitudeSchema,
    github: githubSchema,
    engine: engineSchema,
    transform: transformSchema,
    warehouse: warehouseSchema,
    collector: collectorSchema,
    operate: operateSchema,
    infra: infraSchema,
  })
  .strict();

export type EventlakeConfig = z.infer<typeof configSchema>;
