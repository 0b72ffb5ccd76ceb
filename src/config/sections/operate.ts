// Orchestration (pipelines, schedules), alerts, governance and lifecycle. Validated here so that a typo in a
// pipeline or a policy fails at config load, naming the key, not in the middle of a run.
import { z } from 'zod';

const retry = z
  .object({
    /** Total attempts including the first. */
    attempts: z.number().int().min(1).max(20).default(3),
    baseMs: z.number().int().min(0).default(1_000),
    maxMs: z.number().int().min(0).default(60_000),
  })
  .strict()
  .prefault({});

export const stepSchema = z
  .object({
    /** Step id, unique within the pipeline (e.g. "ingest", "transform", "aggregate"). */
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, _ and - only'),
    /** Task kind, a file in src/pipeline/tasks/ (e.g. "extract-gharchive", "transform", "lifecycle"). */
    kind: z.string().min(1),
    /** Ids of steps that must succeed first. */
    dependsOn: z.array(z.string()).default([]),
    params: z.record(z.string(), z.unknown()).default({}),
    retry: retry,
    /** Per-attempt timeout; the task's AbortSignal fires and the attempt fails as retryable. */
    timeoutMs: z.number().int().positive().default(60 * 60_000),
  })
  .strict();

export const pipelineSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, _ and - only'),
    description: z.string().optional(),
    /** Window granularity: one run covers a day (YYYY-MM-DD) or an hour (YYYY-MM-DDTHH). */
    window: z.enum(['day', 'hour']).default('day'),
    /** Cron pattern (croner; 5 or 6 fields, UTC) used by `eventlake serve`; the run covers the previous window. */
    schedule: z.string().optional(),
    /** How many windows a backfill runs at once. */
    backfillConcurrency: z.number().int().min(1).max(64).default(2),
    steps: z.array(stepSchema).min(1),
  })
  .strict();

const secretRef = {
  /** Environment variable (or .env) holding the secret. */
  env: z.string().optional(),
  /** AWS Secrets Manager secret id (read once, registered for redaction). */
  secretId: z.string().optional(),
};

export const alertsSchema = z
  .object({
    slack: z.object({ webhookUrlEnv: z.string().default('EVENTLAKE_SLACK_WEBHOOK_URL'), secretId: z.string().optional() }).strict().optional(),
    sns: z
      .object({ topicArn: z.string().min(1), region: z.string().default('us-east-1'), endpoint: z.string().url().optional() })
      .strict()
      .optional(),
    /** The same alert (kind + subject) is sent at most once per this many minutes. */
    dedupMinutes: z.number().min(0).default(60),
  })
  .strict()
  .prefault({});

/**
 * Column masks, weakest to strongest (several policies on one column: the strongest wins):
 *   redact-emails  text/JSON kept, but email-like substrings become "[redacted-email]" and, in JSON property bags
 *                  (Amplitude user_properties / event_properties), string values of keys whose name contains
 *                  "email" / "e-mail" are replaced too; other keys and values are kept. Done in SQL in the view.
 *   hash           md5 of the value as text (joinable, not readable)
 *   redact         '***'
 *   null           NULL of the column's type
 */
export const maskSchema = z.enum(['redact-emails', 'null', 'hash', 'redact']);

export const tablePolicySchema = z
  .object({
    /**
     * Rows the principal may see: only repos they own (owner-repos: `column` IN the repo_ids of gold dim_repo whose
     * owner_login is the principal's owner; works on gold tables and on cleaned github_events.repo_id), or only users
     * active in repos they own (owner-users: `column` IN gold fact_events.user_id of those repos).
     */
    rowFilter: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('owner-repos'), column: z.string().default('repo_id') }).strict(),
        z.object({ kind: z.literal('owner-users'), column: z.string().default('user_id') }).strict(),
      ])
      .optional(),
    /** column -> mask (see maskSchema), e.g. { ip_address: 'null', user_id: hash, user_properties: redact-emails } (quote 'null' in YAML). */
    masks: z.record(z.string(), maskSchema).default({}),
    /** Columns removed from the view entirely. */
    deny: z.array(z.string()).default([]),
  })
  .strict();

export const principalSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, _ and - only'),
    /** owner_login in dim_repo this principal owns (used by owner-repos/owner-users row filters). */
    owner: z.string().optional(),
    /** Admins see every gold table unfiltered and unmasked. */
    admin: z.boolean().default(false),
    /** Policy names applied to this principal (tables not named in any policy are invisible). */
    policies: z.array(z.string()).default([]),
    /** API bearer token source (never in config itself). */
    token: z.object(secretRef).strict().optional(),
  })
  .strict();

export const governanceSchema = z
  .object({
    /** Gold domain whose aggregated/<domain>/<table>/ folders are the governed gold tables (named <table>). */
    domain: z.string().default('github'),
    /**
     * Lake layers whose tables are governed. "aggregated": the gold tables of `domain`, named by table (fact_events,
     * dim_user…). "cleaned": every silver table cleaned/<source>/<table>/, named <source>_<table> like the views of
     * `eventlake query` (amplitude_events, github_events) — add it to govern raw-ish PII (ip_address, user_id,
     * user_properties…). As everywhere, a table no policy of a principal names is invisible to that principal.
     */
    layers: z.array(z.enum(['aggregated', 'cleaned'])).min(1).default(['aggregated']),
    principals: z.array(principalSchema).default([]),
    /**
     * policy name -> table -> rules. Example (YAML):
     *   policies:
     *     pii-safe:
     *       amplitude_events: { masks: { ip_address: 'null', user_id: hash, user_properties: redact-emails, event_properties: redact-emails } }
     *       github_events: { rowFilter: { kind: owner-repos, column: repo_id }, deny: [payload] }
     */
    policies: z.record(z.string(), z.record(z.string(), tablePolicySchema)).default({}),
    /** Named queries exposed by the query API (governed like any other query). */
    namedQueries: z.record(z.string(), z.string()).default({}),
    /** Max rows returned by one query. */
    maxRows: z.number().int().positive().default(10_000),
    /** A governed query running longer than this is interrupted. */
    queryTimeoutMs: z.number().int().positive().default(30_000),
  })
  .strict()
  .prefault({});

export const anomalySchema = z
  .object({
    /** Trailing days used as the baseline for each day. */
    baselineDays: z.number().int().min(3).default(14),
    /** |robust z| above this flags the day. */
    threshold: z.number().positive().default(3.5),
  })
  .strict()
  .prefault({});

export const operateSchema = z
  .object({
    pipelines: z.array(pipelineSchema).default([]),
    alerts: alertsSchema,
    governance: governanceSchema,
    anomalies: anomalySchema,
    lifecycle: z
      .object({
        rawArchiveAfterDays: z.number().int().min(1).default(90),
      })
      .strict()
      .prefault({}),
    /** A pipeline lock whose heartbeat is older than this is stale and can be taken over. */
    lockTtlMs: z.number().int().min(1_000).default(5 * 60_000),
  })
  .strict()
  .prefault({});

export type OperateConfig = z.infer<typeof operateSchema>;
export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type StepConfig = z.infer<typeof stepSchema>;
export type GovernanceConfig = z.infer<typeof governanceSchema>;
export type PrincipalConfig = z.infer<typeof principalSchema>;
export type TablePolicy = z.infer<typeof tablePolicySchema>;
export type MaskKind = z.infer<typeof maskSchema>;
export type AlertsConfig = z.infer<typeof alertsSchema>;
