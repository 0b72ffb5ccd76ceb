// `eventlake load postgres`: gold Parquet → PostgreSQL for BI tools.
// Per partition: DuckDB writes the partition as CSV to a temp file (constant memory), then one transaction truncates the
// dt's PostgreSQL partition and streams the file through COPY FROM STDIN — a failure or a kill leaves the previous state intact.
// Dimensions (no dt) are upserted through a temp staging table. Unchanged partitions are skipped via load history.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import type { Context } from '../../cli/context.ts';
import type { ObjectInfo } from '../../core/storage.ts';
import { EventlakeError } from '../../core/errors.ts';
import { assertDt } from '../../lake/layout.ts';
import { goldPartitions } from '../gold-partitions.ts';
import { DuckDbEngine, sqlString } from '../../engines/duckdb/duckdb-engine.ts';
import { GOLD_TABLES, type GoldTable } from '../gold-tables.ts';
import { connectPostgres, type PgSession, type PgSettings } from './client.ts';
import * as SQL from './sql.ts';

export interface PostgresLoadOptions {
  from?: string;
  to?: string;
  force?: boolean;
  /** Only these tables (names); default: every gold table present in the lake. */
  tables?: string[];
  onProgress?: (msg: string) => void;
}

export interface PostgresLoadSummary {
  loaded: { table: string; partition: string; rows: number }[];
  skipped: { table: string; partition: string }[];
  tables: Record<string, number>;
}

export function postgresSettings(ctx: Context): PgSettings & { schema: string } {
  const pgc = ctx.loaded.config.warehouse.postgres;
  if (!pgc) {
    throw new EventlakeError('warehouse.postgres is not configured', {
      step: 'load.postgres',
      code: 'CONFIG',
      next: 'add a warehouse.postgres section (host, port, database, user, passwordEnv, schema) to eventlake.config.yaml',
    });
  }
  return { ...pgc };
}

/** Local paths for gold files; downloads them into `tmp` when the storage has no local paths (S3). */
async function localFiles(ctx: Context, files: ObjectInfo[], tmp: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const p = ctx.storage.localPath(f.key);
    if (p) {
      out.push(p);
      continue;
    }
    const dest = join(tmp, f.key.replace(/[^A-Za-z0-9._-]+/g, '_'));
    await pipeline(await ctx.storage.read(f.key), createWriteStream(dest));
    out.push(dest);
  }
  return out;
}

async function exportCsv(duck: DuckDbEngine, t: GoldTable, files: string[], csv: string): Promise<void> {
  const cols = t.columns.map((c) => `"${c.name}"`).join(', ');
  const list = files.map(sqlString).join(', ');
  await duck.run(
    `COPY (SELECT ${cols} FROM read_parquet([${list}], hive_partitioning = true, union_by_name = true)) TO ${sqlString(csv)} (FORMAT csv, HEADER false, NULLSTR '\\N')`,
  );
}

export async function loadPostgres(ctx: Context, opts: PostgresLoadOptions = {}): Promise<PostgresLoadSummary> {
  const settings = postgresSettings(ctx);
  const schema = settings.schema;
  const tmp = mkdtempSync(join(ctx.loaded.tmpDir, 'pg-load-'));
  const duck = await DuckDbEngine.open({ memoryLimit: ctx.loaded.config.engine.duckdb.memoryLimit, tempDirectory: tmp });
  let pgs: PgSession | undefined;
  const summary: PostgresLoadSummary = { loaded: [], skipped: [], tables: {} };
  try {
    pgs = await connectPostgres(settings);
    await pgs.query(SQL.createSchema(schema));
    await pgs.query(SQL.createLoadHistory(schema));
    for (const t of GOLD_TABLES) {
      if (opts.tables && !opts.tables.includes(t.name)) continue;
      const parts = await goldPartitions(ctx, t, opts);
      if (parts.length === 0) continue;
      await pgs.query(SQL.createTable(schema, t));
      for (const ix of SQL.createIndexes(schema, t)) await pgs.query(ix);

      for (const { partition: part, files: group, fingerprint: fp } of parts) {
        const prev = await pgs.query<{ fingerprint: string }>(SQL.selectFingerprint(schema), [t.name, part]);
        if (!opts.force && prev[0]?.fingerprint === fp) {
          summary.skipped.push({ table: t.name, partition: part });
          continue;
        }
        const csv = join(tmp, `${t.name}-${part === '*' ? 'all' : part}.csv`);
        await exportCsv(duck, t, await localFiles(ctx, group, tmp), csv);
        if (t.partitionColumn) await pgs.query(SQL.createPartition(schema, t, assertDt(part)));
        const rows = await pgs.transaction(async (s) => {
          let n: number;
          if (t.partitionColumn) {
            // TRUNCATE is transactional in PostgreSQL: a failure or a kill before COMMIT restores the old rows.
            await s.query(SQL.truncatePartition(schema, t, part));
            n = await s.copyFile(SQL.copyInto(schema, SQL.partitionName(t, part), t), csv);
          } else {
            await s.query(SQL.createStaging(schema, t));
            n = await s.copyFile(SQL.copyInto('pg_temp', `stage_${t.name}`, t), csv);
            await s.query(SQL.upsertFromStaging(schema, t));
          }
          await s.query(SQL.upsertLoadHistory(schema), [t.name, part, fp, n]);
          return n;
        });
        rmSync(csv, { force: true });
        summary.loaded.push({ table: t.name, partition: part, rows });
        opts.onProgress?.(`${t.name} ${part === '*' ? '' : `dt=${part} `}${rows} rows`);
      }
      const [{ n }] = (await pgs.query<{ n: string }>(SQL.countRows(schema, t))) as [{ n: string }];
      summary.tables[t.name] = Number(n);
    }
    return summary;
  } finally {
    await pgs?.close();
    await duck.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
