// The only module that imports `pg`: connections, transactions and COPY FROM STDIN streaming.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { EventlakeError } from '../../core/errors.ts';
import { readOptionalSecret, redact } from '../../core/secrets.ts';

export interface PgSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Name of the env var holding the password (absent for peer/trust auth over a Unix socket). */
  passwordEnv: string;
  connectTimeoutMs?: number;
}

export interface PgSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Streams a local file into `COPY … FROM STDIN`; returns the rows copied. */
  copyFile(copySql: string, file: string): Promise<number>;
  transaction<T>(fn: (s: PgSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function wrap(e: unknown, what: string, s: PgSettings): EventlakeError {
  const err = e as { message?: string; code?: string };
  const conn = ['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'EHOSTUNREACH', '57P03'].includes(err.code ?? '');
  const auth = ['28P01', '28000'].includes(err.code ?? '');
  const where = `${s.user}@${s.host}:${s.port}/${s.database}`;
  return new EventlakeError(redact(`PostgreSQL ${what} failed (${where}): ${err.message ?? String(e)}`), {
    step: 'load.postgres',
    cause: e,
    retryable: conn,
    code: auth ? 'AUTH' : conn ? 'UNREACHABLE' : err.code,
    next: auth
      ? `check warehouse.postgres.user and the password in $${s.passwordEnv}`
      : conn
        ? 'check warehouse.postgres.host/port and that the server is running (pg_isready)'
        : undefined,
  });
}

// BIGINT as a JS number when exact (as the DuckDB engine does), DATE as 'YYYY-MM-DD' text (no local-time shift).
const INT8 = 20;
const DATE = 1082;
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8) return (v: string) => (Number.isSafeInteger(Number(v)) ? Number(v) : v);
    if (oid === DATE) return (v: string) => v;
    return (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format);
  }) as typeof pg.types.getTypeParser,
};

export async function connectPostgres(s: PgSettings): Promise<PgSession> {
  const client = new pg.Client({
    types,
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    password: readOptionalSecret(s.passwordEnv),
    connectionTimeoutMillis: s.connectTimeoutMs ?? 10_000,
    application_name: 'eventlake',
  });
  try {
    await client.connect();
  } catch (e) {
    throw wrap(e, 'connect', s);
  }
  const session: PgSession = {
    async query<T>(sql: string, params?: unknown[]) {
      try {
        return (await client.query(sql, params)).rows as T[];
      } catch (e) {
        throw wrap(e, `query [${sql.trim().split('\n')[0]!.slice(0, 100)}]`, s);
      }
    },
    async copyFile(copySql, file) {
      const stream = client.query(copyFrom(copySql));
      try {
        await pipeline(createReadStream(file), stream);
      } catch (e) {
        throw wrap(e, `COPY from ${file}`, s);
      }
      return Number(stream.rowCount ?? 0);
    },
    async transaction(fn) {
      await session.query('BEGIN');
      try {
        const out = await fn(session);
        await session.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
  return session;
}
