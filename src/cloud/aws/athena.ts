// The only module that talks to Amazon Athena (AWS SDK v3). Start a query, poll until it ends, page through
// results; SDK errors and failed queries become EventlakeErrors that say whether a retry can help.
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClientConfig,
} from '@aws-sdk/client-athena';
import { EventlakeError } from '../../core/errors.ts';
import { sleep } from '../../core/retry.ts';

export interface AthenaApiOptions {
  region: string;
  endpoint?: string;
  workgroup: string;
  /** Default database (Glue) for unqualified names. */
  database?: string;
  catalog?: string;
  /** s3://… for results; optional when the workgroup enforces its own. */
  outputLocation?: string;
  /** Encrypt query results with SSE-KMS under this key (else SSE-S3 when outputLocation is set). */
  kmsKeyId?: string;
  /** First poll delay; grows ×1.5 up to maxPollMs. */
  pollIntervalMs?: number;
  maxPollMs?: number;
  /** Give up (and stop the query) after this long. */
  timeoutMs?: number;
  maxAttempts?: number;
  clientConfig?: Partial<AthenaClientConfig>;
  sleep?: (ms: number) => Promise<void>;
}

export interface AthenaColumn {
  name: string;
  type: string;
}

export interface AthenaPage {
  columns: AthenaColumn[];
  /** Cell values as Athena returns them (strings; null for SQL NULL). */
  rows: (string | null)[][];
}

export interface QueryOutcome {
  queryId: string;
  state: string;
  dataScannedBytes?: number;
  engineMs?: number;
  outputLocation?: string;
}

const STEP = 'engine.athena';

export function mapAthenaError(e: unknown, what: string): EventlakeError {
  if (e instanceof EventlakeError) return e;
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  const name = err.name ?? 'Error';
  const retryable = name === 'TooManyRequestsException' || name === 'ThrottlingException' || status === undefined || status === 429 || status >= 500;
  return new EventlakeError(`${what}: ${name}: ${err.message ?? ''}`.trim(), {
    step: STEP,
    code: name === 'InvalidRequestException' ? 'ATHENA_INVALID' : status ? `HTTP_${status}` : 'ATHENA',
    retryable,
    cause: e,
  });
}

const firstLine = (sql: string) => sql.trim().split('\n')[0]!.slice(0, 100);

export class AthenaApi {
  readonly client: AthenaClient;
  private readonly o: Readonly<AthenaApiOptions>;

  constructor(opts: AthenaApiOptions) {
    this.o = Object.freeze({ ...opts });
    this.client = new AthenaClient({
      region: opts.region,
      endpoint: opts.endpoint,
      maxAttempts: opts.maxAttempts ?? 5,
      retryMode: 'standard',
      ...opts.clientConfig,
    });
  }

  async start(sql: string, executionParameters?: string[]): Promise<string> {
    const o = this.o;
    try {
      const r = await this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: o.workgroup,
          QueryExecutionContext: o.database ? { Database: o.database, Catalog: o.catalog } : undefined,
          ResultConfiguration: o.outputLocation
            ? {
                OutputLocation: o.outputLocation,
                EncryptionConfiguration: o.kmsKeyId ? { EncryptionOption: 'SSE_KMS', KmsKey: o.kmsKeyId } : { EncryptionOption: 'SSE_S3' },
              }
            : undefined,
          ExecutionParameters: executionParameters?.length ? executionParameters : undefined,
        }),
      );
      if (!r.QueryExecutionId) throw new Error('no QueryExecutionId in the response');
      return r.QueryExecutionId;
    } catch (e) {
      throw mapAthenaError(e, `StartQueryExecution (${firstLine(sql)})`);
    }
  }

  /** Polls GetQueryExecution with growing delays until SUCCEEDED, FAILED or CANCELLED. */
  async wait(queryId: string, sql = ''): Promise<QueryOutcome> {
    const doSleep = this.o.sleep ?? sleep;
    let delay = this.o.pollIntervalMs ?? 1000;
    const maxDelay = this.o.maxPollMs ?? 10_000;
    const deadline = Date.now() + (this.o.timeoutMs ?? 30 * 60_000);
    for (;;) {
      let q;
      try {
        q = (await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId }))).QueryExecution;
      } catch (e) {
        throw mapAthenaError(e, `GetQueryExecution ${queryId}`);
      }
      const state = q?.Status?.State ?? 'UNKNOWN';
      if (state === 'SUCCEEDED') {
        return {
          queryId,
          state,
          dataScannedBytes: q?.Statistics?.DataScannedInBytes,
          engineMs: q?.Statistics?.EngineExecutionTimeInMillis,
          outputLocation: q?.ResultConfiguration?.OutputLocation,
        };
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        const ae = q?.Status?.AthenaError;
        const reason = q?.Status?.StateChangeReason ?? ae?.ErrorMessage ?? 'no reason given';
        throw new EventlakeError(`Athena query ${queryId} ${state}: ${reason}${sql ? ` [in: ${firstLine(sql)}]` : ''}`, {
          step: STEP,
          // ErrorCategory 1 = system (transient), 2 = user (SQL/permissions), 3 = other; Retryable is Athena's own verdict.
          code: /HIVE_TOO_MANY_OPEN_PARTITIONS/.test(reason) ? 'TOO_MANY_PARTITIONS' : `ATHENA_${state}`,
          retryable: ae?.Retryable ?? ae?.ErrorCategory === 1,
          context: { queryId, errorType: ae?.ErrorType, errorCategory: ae?.ErrorCategory },
        });
      }
      if (Date.now() > deadline) {
        await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId })).catch(() => undefined);
        throw new EventlakeError(`Athena query ${queryId} still ${state} after ${this.o.timeoutMs ?? 1_800_000} ms: stopped`, { step: STEP, code: 'TIMEOUT', retryable: true });
      }
      await doSleep(delay);
      delay = Math.min(maxDelay, Math.ceil(delay * 1.5));
    }
  }

  /**
   * Pages of results (GetQueryResults + NextToken). For SELECT-like queries Athena repeats the column names as
   * the first row of the first page; `skipHeader` drops it.
   */
  async *results(queryId: string, skipHeader = true, pageSize = 1000): AsyncIterable<AthenaPage> {
    let token: string | undefined;
    let first = true;
    do {
      let r;
      try {
        r = await this.client.send(new GetQueryResultsCommand({ QueryExecutionId: queryId, NextToken: token, MaxResults: pageSize }));
      } catch (e) {
        throw mapAthenaError(e, `GetQueryResults ${queryId}`);
      }
      const columns = (r.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({ name: c.Name ?? '', type: c.Type ?? 'varchar' }));
      let rows = (r.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((d) => (d.VarCharValue === undefined ? null : d.VarCharValue)));
      if (first && skipHeader && rows.length && columns.length && rows[0]!.every((v, i) => v === columns[i]?.name)) rows = rows.slice(1);
      first = false;
      yield { columns, rows };
      token = r.NextToken;
    } while (token);
  }

  destroy(): void {
    this.client.destroy();
  }
}
