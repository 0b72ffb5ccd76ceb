// `eventlake redshift setup` and `eventlake load redshift`: gold on S3 → Redshift Serverless through the Data API.
// Which partitions exist comes from the lake (storage listing); what was loaded, with the gold files' fingerprint,
// is kept in the lake's load history so unchanged partitions are skipped and a rerun replaces, never duplicates.
import type { Context } from '../../cli/context.ts';
import { getJson, putJson } from '../../core/storage.ts';
import { EventlakeError } from '../../core/errors.ts';
import { goldPartitions } from '../gold-partitions.ts';
import { createRedshiftData, type RedshiftData } from '../../cloud/aws/redshift-data.ts';
import { GOLD_TABLES } from '../gold-tables.ts';
import * as SQL from './sql.ts';

export interface RedshiftLoadOptions {
  from?: string;
  to?: string;
  force?: boolean;
  tables?: string[];
  onProgress?: (msg: string) => void;
}

type History = Record<string, { fingerprint: string; loadedAt: string }>;

export function redshiftNames(ctx: Context): SQL.RedshiftNames {
  const r = requireConfig(ctx);
  if (!r.iamRoleArn) {
    throw new EventlakeError('warehouse.redshift.iamRoleArn is required (the role Spectrum uses to read the Glue catalog and S3)', {
      step: 'warehouse.redshift',
      code: 'CONFIG',
      next: 'set warehouse.redshift.iamRoleArn to the RedshiftRole output of `eventlake infra deploy`',
    });
  }
  return { schema: 'gold', externalSchema: 'gold_ext', glueDatabase: r.glueDatabase, iamRoleArn: r.iamRoleArn };
}

function requireConfig(ctx: Context) {
  const r = ctx.loaded.config.warehouse.redshift;
  if (!r) {
    throw new EventlakeError('warehouse.redshift is not configured', {
      step: 'warehouse.redshift',
      code: 'CONFIG',
      next: 'add warehouse.redshift (region, workgroupName, database, iamRoleArn, glueDatabase) to eventlake.config.yaml',
    });
  }
  return r;
}

export function openRedshift(ctx: Context, opts: { pollIntervalMs?: number } = {}): RedshiftData {
  const r = requireConfig(ctx);
  return createRedshiftData({ region: r.region, endpoint: r.endpoint, workgroupName: r.workgroupName, database: r.database, secretArn: r.secretArn, pollIntervalMs: opts.pollIntervalMs });
}

export function redshiftSetupSql(ctx: Context): string[] {
  return SQL.setupStatements(redshiftNames(ctx), GOLD_TABLES);
}

export async function setupRedshift(ctx: Context, rs: RedshiftData): Promise<number> {
  const stmts = redshiftSetupSql(ctx);
  // CREATE EXTERNAL SCHEMA cannot run inside a transaction block, so each statement is submitted on its own.
  for (const s of stmts) await rs.query(s);
  return stmts.length;
}

export async function loadRedshift(ctx: Context, rs: RedshiftData, opts: RedshiftLoadOptions = {}) {
  const names = redshiftNames(ctx);
  const historyKey = ctx.layout.metaKey('load-history', 'redshift.json');
  const history: History = (await getJson<History>(ctx.storage, historyKey)) ?? {};
  const loaded: { table: string; partition: string }[] = [];
  const skipped: { table: string; partition: string }[] = [];
  const tables: Record<string, number> = {};
  for (const t of GOLD_TABLES) {
    if (opts.tables && !opts.tables.includes(t.name)) continue;
    const parts = await goldPartitions(ctx, t, opts);
    if (parts.length === 0) continue;
    for (const { partition: part, fingerprint: fp } of parts) {
      const key = `${t.name}/${part}`;
      if (!opts.force && history[key]?.fingerprint === fp) {
        skipped.push({ table: t.name, partition: part });
        continue;
      }
      const stmts = t.partitionColumn ? SQL.replacePartition(names, t, part) : SQL.replaceTable(names, t);
      await rs.batch(stmts, `eventlake-load-${t.name}-${part === '*' ? 'all' : part}`);
      history[key] = { fingerprint: fp, loadedAt: new Date().toISOString() };
      // Saved after every partition so a crash never forgets what already committed.
      await putJson(ctx.storage, historyKey, history);
      loaded.push({ table: t.name, partition: part });
      opts.onProgress?.(`${t.name} ${part === '*' ? '' : `dt=${part}`}`);
    }
    const [row] = await rs.query(SQL.countRows(names, t));
    tables[t.name] = Number(row?.n ?? 0);
  }
  return { loaded, skipped, tables };
}
