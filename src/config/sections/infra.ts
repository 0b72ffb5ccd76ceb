// Config for the AWS CDK app in infra/. Every name and id the stacks use comes from here; no secret VALUES ever do
// (secrets are created empty/generated or referenced by name/ARN, then filled out of band).
import { z } from 'zod';

const arn = z.string().regex(/^arn:aws[a-z-]*:/, 'expected an ARN (arn:aws:…)');

/** One repo owner for Lake Formation row/column security: their principal sees only rows of their repo ids. */
const repoOwnerSchema = z
  .object({
    /** Filter-name-safe owner name (letters, digits, _ and -), e.g. the GitHub org login. */
    name: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, _ and - only'),
    /** IAM role/user ARN (or Identity Center principal ARN) that receives SELECT through the filters. */
    principalArn: arn,
    repoIds: z.array(z.number().int().positive()).min(1),
  })
  .strict();

export const infraSchema = z
  .object({
    account: z.string().optional(),
    region: z.string().default('us-east-1'),
    stackPrefix: z.string().default('Eventlake'),
    bucketName: z.string().optional(),
    snowflakeIamUserArn: z.string().optional(),
    snowflakeExternalId: z.string().optional(),
    /** Tags put on every resource. */
    tags: z.record(z.string(), z.string()).default({ project: 'eventlake' }),
    /** RETAIN keeps the bucket/key/secrets when a stack is deleted (the default: data must outlive stacks). */
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
    kms: z
      .object({
        alias: z.string().default('alias/eventlake-lake'),
      })
      .strict()
      .prefault({}),
    lifecycle: z
      .object({
        /** raw/ objects older than this move to the archive tier (never python-import/ or cleaned/aggregated). */
        rawArchiveAfterDays: z.number().int().min(1).default(90),
        rawArchiveStorageClass: z.enum(['GLACIER', 'DEEP_ARCHIVE', 'GLACIER_INSTANT_RETRIEVAL']).default('GLACIER'),
        abortIncompleteMultipartUploadDays: z.number().int().min(1).default(7),
        noncurrentVersionExpirationDays: z.number().int().min(1).default(30),
      })
      .strict()
      .prefault({}),
    iam: z
      .object({
        uploaderUserName: z.string().default('amplitude_python_uploader'),
        snowflakeRoleName: z.string().default('snowflake-amplitude-python'),
      })
      .strict()
      .prefault({}),
    firehose: z
      .object({
        enabled: z.boolean().default(true),
        streamName: z.string().default('eventlake-collector'),
        /** Source folder under raw/ the stream lands in: raw/<source>/dt=…/hour=…/. */
        source: z.string().default('github'),
        /** Defaults to collector.bufferSizeMiB / bufferIntervalSeconds so both collectors behave alike. */
        bufferSizeMiB: z.number().int().min(1).max(128).optional(),
        bufferIntervalSeconds: z.number().int().min(0).max(900).optional(),
        /** The collector's Firehose transform, bundled from the project's own code as the Lambda processor. */
        transform: z
          .object({
            enabled: z.boolean().default(true),
            /** Entry file (relative to the project root) that exports the Lambda handler. */
            entry: z.string().default('src/collector/firehose-transform.ts'),
            handler: z.string().default('handler'),
            memoryMiB: z.number().int().min(128).max(10240).default(256),
            timeoutSeconds: z.number().int().min(1).max(900).default(60),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    glue: z
      .object({
        database: z.string().default('eventlake'),
        /** Partition projection range for dt (Athena syntax). */
        projectionRange: z.string().default('NOW-3YEARS,NOW'),
      })
      .strict()
      .prefault({}),
    athena: z
      .object({
        workgroup: z.string().default('eventlake'),
        /** Queries scanning more than this are cancelled (Athena minimum is 10 MB). */
        bytesScannedCutoffPerQuery: z.number().int().min(10_000_000).default(10 * 1024 ** 3),
        resultsExpireDays: z.number().int().min(1).default(30),
      })
      .strict()
      .prefault({}),
    lakeFormation: z
      .object({
        enabled: z.boolean().default(false),
        /** Glue tables that get one data cells filter per owner (each must have a repo_id column). */
        tables: z.array(z.string()).default(['fact_events', 'dim_repo', 'github_events']),
        /** PII columns hidden from repo owners (ignored on tables that do not have them). */
        excludedColumns: z.array(z.string()).default(['actor_login', 'login', 'payload']),
        /** Max repo ids in one filter expression; larger owners get several filters (all granted to them). */
        maxRepoIdsPerFilter: z.number().int().min(1).max(5000).default(1000),
        owners: z.array(repoOwnerSchema).default([]),
      })
      .strict()
      .prefault({}),
    orchestration: z
      .object({
        enabled: z.boolean().default(true),
        stateMachineName: z.string().default('eventlake-pipeline'),
        /** EventBridge schedule expression; the run processes the UTC day of the event time (reruns replace). */
        schedule: z.string().default('cron(20 * * * ? *)'),
        /** Base URL the ingest Lambda fetches GH Archive hours from. */
        gharchiveBaseUrl: z.string().url().default('https://data.gharchive.org'),
        maxAttempts: z.number().int().min(1).max(10).default(3),
        /** Alarm when one execution takes longer than this. */
        maxDurationMinutes: z.number().int().min(1).default(50),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        topicName: z.string().default('eventlake-alerts'),
        /** E-mail subscriptions (optional); Slack goes through the webhook secret. */
        emails: z.array(z.string().email()).default([]),
      })
      .strict()
      .prefault({}),
    secrets: z
      .object({
        /** Names of Secrets Manager secrets; created empty (generated placeholder) unless an existing ARN is given. */
        githubTokenName: z.string().default('eventlake/github-token'),
        githubTokenArn: arn.optional(),
        slackWebhookName: z.string().default('eventlake/slack-webhook'),
        slackWebhookArn: arn.optional(),
      })
      .strict()
      .prefault({}),
    cloudtrail: z
      .object({
        enabled: z.boolean().default(true),
        trailName: z.string().default('eventlake-lake-data-events'),
      })
      .strict()
      .prefault({}),
    redshift: z
      .object({
        enabled: z.boolean().default(false),
        namespaceName: z.string().default('eventlake'),
        workgroupName: z.string().default('eventlake'),
        dbName: z.string().default('dev'),
        adminUsername: z.string().default('eventlake_admin'),
        /** RPUs; 8 is the smallest base capacity Redshift Serverless accepts. */
        baseCapacityRpu: z.number().int().min(8).max(1024).default(8),
        maxCapacityRpu: z.number().int().min(8).max(5632).default(32),
        /** Compute usage limit (RPU-hours per period); breach action as named by the Redshift API. */
        usageLimitRpuHours: z.number().int().min(1).default(24),
        usageLimitPeriod: z.enum(['daily', 'weekly', 'monthly']).default('daily'),
        usageLimitBreachAction: z.enum(['log', 'emit-metric', 'deactivate']).default('deactivate'),
        subnetIds: z.array(z.string()).default([]),
        securityGroupIds: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type InfraConfig = z.infer<typeof infraSchema>;
export type RepoOwner = z.infer<typeof repoOwnerSchema>;
