import { z } from 'zod';

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
