import { z } from 'zod';

export const warehouseSchema = z
  .object({
    /** Embedded warehouse (the DuckDB file at engine.duckdb.path): `eventlake load duckdb`. */
    duckdb: z
      .object({
        /** COPY ON_ERROR semantics per raw file: abort the load, skip the bad file, or load its good rows. */
        onError: z.enum(['abort', 'skip_file', 'continue']).default('abort'),
        /** Source whose raw files feed the VARIANT-style table. */
        source: z.string().default('amplitude'),
        table: z.string().default('amplitude_raw'),
        /** Also copy the gold tables (aggregated/<domain>/<table>) into the warehouse file. */
        loadGold: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    snowflake: z
      .object({
        account: z.string().min(1),
        username: z.string().min(1),
        role: z.string().optional(),
        warehouse: z.string().optional(),
        database: z.string().default('EVENTLAKE'),
        schema: z.string().default('RAW'),
        /** Env var with the PEM private key (key-pair auth) or the password. */
        privateKeyEnv: z.string().default('SNOWFLAKE_PRIVATE_KEY'),
        passwordEnv: z.string().default('SNOWFLAKE_PASSWORD'),
        integrationName: z.string().default('AMPLITUDE_S3_INTEGRATION'),
        stageName: z.string().default('AMPLITUDE_STAGE'),
        fileFormatName: z.string().default('AMPLITUDE_JSON'),
        roleArn: z.string().optional(),
        accessUrl: z.string().optional(),
        /** Env var with the passphrase of an encrypted PKCS#8 private key. */
        privateKeyPassphraseEnv: z.string().default('SNOWFLAKE_PRIVATE_KEY_PASSPHRASE'),
        /** External stage URL; default s3://<storage.stageS3 or storage.s3 bucket>/<prefix>/<lake.prefixes.stage>/ */
        stageUrl: z.string().regex(/^s3:\/\/[^/]+\/.*\/$/, 'expected s3://bucket/prefix/ ending in /').optional(),
        /** Unquoted-style names are upper-cased, then every identifier is quoted in the generated SQL. */
        rawTable: z.string().default('AMPLITUDE_RAW'),
        typedTable: z.string().default('AMPLITUDE_EVENTS'),
        /** COPY INTO ON_ERROR: CONTINUE | SKIP_FILE | SKIP_FILE_<n> | SKIP_FILE_<n>% | ABORT_STATEMENT (Snowflake default). */
        onError: z
          .string()
          .regex(/^(CONTINUE|SKIP_FILE|SKIP_FILE_\d+%?|ABORT_STATEMENT)$/i, 'ON_ERROR must be CONTINUE, SKIP_FILE, SKIP_FILE_<n>, SKIP_FILE_<n>% or ABORT_STATEMENT')
          .default('ABORT_STATEMENT'),
        /** COPY INTO PATTERN (regex on the path below the stage). */
        pattern: z.string().default('.*[.]json[.]gz'),
      })
      .strict()
      .optional(),
    postgres: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().default(5432),
        database: z.string().default('eventlake'),
        user: z.string().default('eventlake'),
        passwordEnv: z.string().default('PGPASSWORD'),
        schema: z.string().default('gold'),
      })
      .strict()
      .optional(),
    redshift: z
      .object({
        region: z.string().default('us-east-1'),
        endpoint: z.string().url().optional(),
        workgroupName: z.string().default('eventlake'),
        database: z.string().default('dev'),
        iamRoleArn: z.string().optional(),
        secretArn: z.string().optional(),
        glueDatabase: z.string().default('eventlake'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .prefault({});
