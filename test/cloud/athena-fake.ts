// A local HTTP endpoint on 127.0.0.1 that speaks the AWS JSON 1.1 protocol of Athena and Glue
// (x-amz-target: AmazonAthena.StartQueryExecution / GetQueryExecution / GetQueryResults, AWSGlue.DeleteTable …)
// closely enough for the real AWS SDK clients. Queries go QUEUED -> RUNNING -> SUCCEEDED over successive polls;
// a query containing FAIL_ME fails the way Athena reports failures. Everything received is recorded.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeResult {
  columns: { Name: string; Type: string }[];
  rows: (string | null)[][];
}

export interface Call {
  target: string;
  body: Record<string, unknown>;
}

export interface FakeAthenaOptions {
  /** Result set per query text; default: no columns, no rows (DDL). */
  results?: (sql: string) => FakeResult | undefined;
  /** Polls answered QUEUED/RUNNING before SUCCEEDED. */
  pollsBeforeDone?: number;
  /** Answer the first N StartQueryExecution calls with TooManyRequestsException. */
  throttleStarts?: number;
  /** Fail (like a query error) every query for which this returns true, in addition to FAIL_ME. */
  failWhen?: (sql: string) => boolean;
  /** Glue tables that exist ("db.table"). */
  glueTables?: Set<string>;
}

export async function startFakeAthena(o: FakeAthenaOptions = {}) {
  const calls: Call[] = [];
  const queries = new Map<string, { sql: string; polls: number; params?: unknown }>();
  let seq = 0;
  let throttles = o.throttleStarts ?? 0;
  const glueTables = o.glueTables ?? new Set<string>();

  const srv = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      calls.push({ target, body });
      const ok = (data: unknown) => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(data));
      };
      const fail = (status: number, type: string, message: string) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
        res.end(JSON.stringify({ __type: type, message }));
      };
      switch (target) {
        case 'AmazonAthena.StartQueryExecution': {
          if (throttles > 0) {
            throttles--;
            return fail(400, 'TooManyRequestsException', 'Rate exceeded');
          }
          const id = `q-${++seq}`;
          queries.set(id, { sql: String(body.QueryString), polls: 0, params: body.ExecutionParameters });
          return ok({ QueryExecutionId: id });
        }
        case 'AmazonAthena.GetQueryExecution': {
          const id = String(body.QueryExecutionId);
          const q = queries.get(id);
          if (!q) return fail(400, 'InvalidRequestException', `QueryExecution ${id} was not found`);
          q.polls++;
          const before = o.pollsBeforeDone ?? 2;
          let Status: Record<string, unknown>;
          if (q.polls <= before) Status = { State: q.polls === 1 ? 'QUEUED' : 'RUNNING' };
          else if (q.sql.includes('FAIL_ME') || o.failWhen?.(q.sql)) {
            const tooMany = q.sql.includes('TOO_MANY');
            Status = {
              State: 'FAILED',
              StateChangeReason: tooMany
                ? 'HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for partitions/buckets'
                : "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
              AthenaError: { ErrorCategory: 2, ErrorType: tooMany ? 1101 : 1006, Retryable: false, ErrorMessage: 'query failed' },
            };
          } else Status = { State: 'SUCCEEDED' };
          return ok({
            QueryExecution: {
              QueryExecutionId: id,
              Query: q.sql,
              Status,
              Statistics: { DataScannedInBytes: 1024, EngineExecutionTimeInMillis: 5 },
              ResultConfiguration: { OutputLocation: `s3://results/${id}.csv` },
            },
          });
        }
        case 'AmazonAthena.GetQueryResults': {
          const q = queries.get(String(body.QueryExecutionId));
          const r = (q && o.results?.(q.sql)) ?? { columns: [], rows: [] };
          // Like Athena: the header row comes first in the first page for SELECT results.
          const all = r.columns.length ? [r.columns.map((c) => c.Name), ...r.rows] : [];
          const start = body.NextToken ? Number(body.NextToken) : 0;
          const max = Number(body.MaxResults ?? 1000);
          const page = all.slice(start, start + max);
          const next = start + max < all.length ? String(start + max) : undefined;
          return ok({
            ResultSet: {
              Rows: page.map((row) => ({ Data: row.map((v) => (v === null ? {} : { VarCharValue: v })) })),
              ResultSetMetadata: { ColumnInfo: r.columns.map((c) => ({ CatalogName: 'hive', Name: c.Name, Label: c.Name, Type: c.Type, Nullable: 'UNKNOWN' })) },
            },
            ...(next ? { NextToken: next } : {}),
            UpdateCount: 0,
          });
        }
        case 'AmazonAthena.StopQueryExecution':
          return ok({});
        case 'AWSGlue.DeleteTable': {
          const k = `${body.DatabaseName}.${body.Name}`;
          if (!glueTables.delete(k)) return fail(400, 'EntityNotFoundException', `Table ${body.Name} not found.`);
          return ok({});
        }
        case 'AWSGlue.GetTable': {
          const k = `${body.DatabaseName}.${body.Name}`;
          if (!glueTables.has(k)) return fail(400, 'EntityNotFoundException', `Table ${body.Name} not found.`);
          return ok({ Table: { Name: body.Name, DatabaseName: body.DatabaseName, TableType: 'EXTERNAL_TABLE', StorageDescriptor: { Location: 's3://x/' }, PartitionKeys: [{ Name: 'dt', Type: 'string' }], Parameters: {} } });
        }
        default:
          return fail(400, 'UnknownOperationException', target);
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    calls,
    glueTables,
    starts: () => calls.filter((c) => c.target === 'AmazonAthena.StartQueryExecution' && queries.size > 0),
    close: () => {
      srv.closeAllConnections();
      return new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
