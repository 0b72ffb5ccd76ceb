// The only module that calls the Redshift Data API (@aws-sdk/client-redshift-data): submit, poll, page results.
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type Field,
} from '@aws-sdk/client-redshift-data';
import { EventlakeError } from '../../core/errors.ts';

export interface RedshiftDataSettings {
  region: string;
  /** Endpoint override (tests, VPC endpoints). */
  endpoint?: string;
  workgroupName: string;
  database: string;
  /** Secrets Manager ARN with the database credentials (optional with IAM auth on Serverless). */
  secretArn?: string;
  pollIntervalMs?: number;
  timeoutMs?: number;
}

export type RedshiftRow = Record<string, string | number | boolean | null>;

export interface RedshiftData {
  /** Runs one statement and returns its rows (empty for DDL/DML). */
  query(sql: string): Promise<RedshiftRow[]>;
  /** Runs statements as ONE transaction (BatchExecuteStatement): all commit or none. */
  batch(sqls: string[], name?: string): Promise<void>;
  close(): void;
}

function fieldValue(f: Field): string | number | boolean | null {
  if (f.isNull) return null;
  if (f.stringValue !== undefined) return f.stringValue;
  if (f.longValue !== undefined) return Number(f.longValue);
  if (f.doubleValue !== undefined) return f.doubleValue;
  if (f.booleanValue !== undefined) return f.booleanValue;
  return null;
}

export function createRedshiftData(s: RedshiftDataSettings, credentials?: { accessKeyId: string; secretAccessKey: string }): RedshiftData {
  const client = new RedshiftDataClient({ region: s.region, endpoint: s.endpoint, credentials, maxAttempts: 3 });
  const target = { WorkgroupName: s.workgroupName, Database: s.database, SecretArn: s.secretArn };
  const pollMs = s.pollIntervalMs ?? 1000;
  const timeoutMs = s.timeoutMs ?? 30 * 60_000;

  async function send<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const status = err.$metadata?.httpStatusCode ?? 0;
      throw new EventlakeError(`Redshift Data API ${what} failed (workgroup ${s.workgroupName}, database ${s.database}): ${err.name ?? ''} ${err.message ?? String(e)}`, {
        step: 'warehouse.redshift',
        cause: e,
        retryable: status >= 500 || status === 429 || err.name === 'ThrottlingException',
        next: status === 403 || /AccessDenied/.test(err.name ?? '') ? 'check the AWS credentials and redshift-data:* / redshift-serverless:GetCredentials permissions' : undefined,
      });
    }
  }

  async function wait(id: string, sqlHint: string): Promise<boolean> {
    const started = Date.now();
    for (;;) {
      const d = await send('DescribeStatement', () => client.send(new DescribeStatementCommand({ Id: id })));
      if (d.Status === 'FINISHED') return Boolean(d.HasResultSet);
      if (d.Status === 'FAILED' || d.Status === 'ABORTED') {
        throw new EventlakeError(`Redshift statement ${d.Status.toLowerCase()}: ${d.Error ?? 'no error text'} [in: ${sqlHint}]`, {
          step: 'warehouse.redshift',
          retryable: false,
          context: { statementId: id },
        });
      }
      if (Date.now() - started > timeoutMs) {
        throw new EventlakeError(`Redshift statement ${id} still ${d.Status} after ${timeoutMs} ms [in: ${sqlHint}]`, { step: 'warehouse.redshift', retryable: true });
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  const hint = (sql: string) => sql.trim().split('\n')[0]!.slice(0, 100);
  return {
    async query(sql) {
      const { Id } = await send('ExecuteStatement', () => client.send(new ExecuteStatementCommand({ ...target, Sql: sql })));
      if (!(await wait(Id!, hint(sql)))) return [];
      const rows: RedshiftRow[] = [];
      let token: string | undefined;
      do {
        const page = await send('GetStatementResult', () => client.send(new GetStatementResultCommand({ Id: Id!, NextToken: token })));
        const names = (page.ColumnMetadata ?? []).map((c) => c.name ?? c.label ?? '?');
        for (const rec of page.Records ?? []) rows.push(Object.fromEntries(rec.map((f, i) => [names[i]!, fieldValue(f)])));
        token = page.NextToken;
      } while (token);
      return rows;
    },
    async batch(sqls, name) {
      const { Id } = await send('BatchExecuteStatement', () => client.send(new BatchExecuteStatementCommand({ ...target, Sqls: sqls, StatementName: name })));
      await wait(Id!, hint(sqls[0] ?? ''));
    },
    close() {
      client.destroy();
    },
  };
}
