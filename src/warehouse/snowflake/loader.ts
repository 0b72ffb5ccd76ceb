// Snowflake setup and load, on top of any SqlExecutor (snowflake-sdk in production, a recorder in tests).
//   setup: database/schema, storage integration (role ARN), JSON file format, external stage, amplitude_raw + typed
//          table; then DESC INTEGRATION -> the IAM trust policy Snowflake's role needs.
//   load:  COPY INTO amplitude_raw (Snowflake's load metadata skips files already loaded), per-file results from the
//          COPY output, INSERT of new uuids into the typed table, and a load-history record in _eventlake/.
import { randomBytes } from 'node:crypto';
import type { EventlakeConfig } from '../../config/schema.ts';
import { EventlakeError } from '../../core/errors.ts';
import { putJson, type Storage } from '../../core/storage.ts';
import type { LakeLayout } from '../../lake/layout.ts';
import type { SqlExecutor, SnowflakeRow } from './client.ts';
import { describeIntegrationStatement, loadStatements, setupStatements, type SnowflakeNames, type Statement } from './sql.ts';

const STEP = 'warehouse.snowflake';

export type SnowflakeConfig = NonNullable<EventlakeConfig['warehouse']['snowflake']>;

export function requireSnowflakeConfig(config: EventlakeConfig): SnowflakeConfig {
  const sf = config.warehouse.snowflake;
  if (!sf) {
    throw new EventlakeError('warehouse.snowflake is not configured', {
      step: 'config',
      code: 'CONFIG',
      next: 'add warehouse.snowflake.account and .username (and roleArn for setup) to eventlake.config.yaml',
    });
  }
  return sf;
}

/** Names for the SQL; the stage URL defaults to the bucket the stage files are PUT to. */
export function snowflakeNames(config: EventlakeConfig, source = 'amplitude'): SnowflakeNames {
  const sf = requireSnowflakeConfig(config);
  let stageUrl = sf.stageUrl;
  if (!stageUrl) {
    const loc = config.storage.stageS3 ?? config.storage.s3;
    if (!loc) {
      throw new EventlakeError('cannot derive the Snowflake stage URL: no storage.stageS3 / storage.s3 bucket', {
        step: 'config',
        code: 'CONFIG',
        next: 'set warehouse.snowflake.stageUrl: s3://<bucket>/python-import/',
      });
    }
    const prefix = loc.prefix.replace(/^\/+|\/+$/g, '');
    // The stage prefix is lake-relative on the lake bucket, but the stageS3 bucket holds python-import/ at its prefix too.
    stageUrl = `s3://${loc.bucket}/${prefix ? `${prefix}/` : ''}${config.lake.prefixes.stage}/`;
  }
  return {
    database: sf.database,
    schema: sf.schema,
    integration: sf.integrationName,
    stage: sf.stageName,
    fileFormat: sf.fileFormatName,
    rawTable: sf.rawTable,
    typedTable: sf.typedTable,
    roleArn: sf.roleArn,
    stageUrl,
    sourcePath: `${source}/`,
  };
}

export interface TrustInfo {
  iamUserArn?: string;
  externalId?: string;
  trustPolicy?: unknown;
}

/** Reads STORAGE_AWS_IAM_USER_ARN / STORAGE_AWS_EXTERNAL_ID from DESC INTEGRATION rows (property, property_value). */
export function trustFromDescribe(rows: SnowflakeRow[]): TrustInfo {
  const get = (name: string) => {
    const r = rows.find((x) => String(x.property ?? x.PROPERTY ?? '').toUpperCase() === name);
    const v = r?.property_value ?? r?.PROPERTY_VALUE;
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const iamUserArn = get('STORAGE_AWS_IAM_USER_ARN');
  const externalId = get('STORAGE_AWS_EXTERNAL_ID');
  return {
    iamUserArn,
    externalId,
    trustPolicy:
      iamUserArn && externalId
        ? {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: iamUserArn },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'sts:ExternalId': externalId } },
              },
            ],
          }
        : undefined,
  };
}

export interface SetupResult {
  statements: Statement[];
  trust?: TrustInfo;
}

export async function runSetup(exec: SqlExecutor | undefined, names: SnowflakeNames): Promise<SetupResult> {
  const statements = setupStatements(names);
  if (!exec) return { statements: [...statements, describeIntegrationStatement(names)] };
  for (const s of statements) {
    try {
      await exec.execute(s.sql);
    } catch (e) {
      throw new EventlakeError(`setup statement from ${s.template} failed`, {
        step: STEP,
        cause: e,
        retryable: (e as EventlakeError).retryable ?? false,
        next: 'fix the cause and run `eventlake snowflake setup --apply` again (every statement is IF NOT EXISTS)',
      });
    }
  }
  const trust = trustFromDescribe(await exec.execute(describeIntegrationStatement(names).sql));
  return { statements, trust };
}

export type FileStatus = 'LOADED' | 'LOAD_FAILED' | 'PARTIALLY_LOADED' | 'LOAD_SKIPPED' | string;

export interface CopyFileResult {
  file: string;
  status: FileStatus;
  rowsParsed: number;
  rowsLoaded: number;
  errorsSeen: number;
  firstError?: string;
  firstErrorLine?: number;
}

/** Per-file results from COPY INTO output. "Copy executed with 0 files processed." (nothing new) gives []. */
export function parseCopyResult(rows: SnowflakeRow[]): CopyFileResult[] {
  const pick = (r: SnowflakeRow, k: string) => r[k] ?? r[k.toUpperCase()];
  const num = (v: unknown) => (v === null || v === undefined || v === '' ? 0 : Number(v));
  return rows
    .filter((r) => pick(r, 'file') !== undefined && pick(r, 'file') !== null)
    .map((r) => ({
      file: String(pick(r, 'file')),
      status: String(pick(r, 'status')),
      rowsParsed: num(pick(r, 'rows_parsed')),
      rowsLoaded: num(pick(r, 'rows_loaded')),
      errorsSeen: num(pick(r, 'errors_seen')),
      firstError: (pick(r, 'first_error') as string | null) ?? undefined,
      firstErrorLine: pick(r, 'first_error_line') == null ? undefined : num(pick(r, 'first_error_line')),
    }));
}

export interface LoadOptions {
  pattern: string;
  onError: string;
  loadId?: string;
  /** Lake and layout for the load-history record (optional in tests). */
  history?: { storage: Storage; layout: LakeLayout; source: string };
}

export interface LoadResult {
  loadId: string;
  files: CopyFileResult[];
  rowsLoaded: number;
  typedRowsInserted?: number;
  failedFiles: CopyFileResult[];
  statements: Statement[];
  historyKey?: string;
}

export function newLoadId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export async function runLoad(exec: SqlExecutor, names: SnowflakeNames, o: LoadOptions): Promise<LoadResult> {
  const loadId = o.loadId ?? newLoadId();
  const statements = loadStatements(names, { loadId, pattern: o.pattern, onError: o.onError });
  const [copy, insert] = statements;
  let copyRows: SnowflakeRow[];
  try {
    copyRows = await exec.execute(copy!.sql);
  } catch (e) {
    throw new EventlakeError(`COPY INTO ${names.rawTable} failed (load ${loadId})`, {
      step: STEP,
      cause: e,
      retryable: (e as EventlakeError).retryable ?? false,
      next: 'eventlake snowflake load  (files already loaded are skipped by Snowflake\'s load metadata)',
      context: { loadId },
    });
  }
  const files = parseCopyResult(copyRows);
  const rowsLoaded = files.reduce((a, f) => a + f.rowsLoaded, 0);
  const failedFiles = files.filter((f) => f.status !== 'LOADED');
  const result: LoadResult = { loadId, files, rowsLoaded, failedFiles, statements };
  if (rowsLoaded > 0) {
    const r = await exec.execute(insert!.sql);
    const n = r[0]?.['number of rows inserted'] ?? r[0]?.['NUMBER OF ROWS INSERTED'];
    result.typedRowsInserted = n === undefined ? undefined : Number(n);
  }
  if (o.history) {
    const key = o.history.layout.metaKey('load-history', o.history.source, 'snowflake', `${loadId}.json`);
    await putJson(o.history.storage, key, {
      loadId,
      at: new Date().toISOString(),
      table: names.rawTable,
      typedTable: names.typedTable,
      rowsLoaded,
      typedRowsInserted: result.typedRowsInserted,
      files,
    });
    result.historyKey = key;
  }
  return result;
}
