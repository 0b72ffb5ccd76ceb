// Registers every cleaned and aggregated table of the lake as a DuckDB view, so `eventlake query`, the HTTP API and
// the dashboards query the lake by name:
//   <source>_<table>           e.g. amplitude_events, github_events                  (cleaned, silver)
//   <domain>_<table>           e.g. amplitude_daily_events, github_fact_events       (aggregated, gold)
//   cleaned.<source>_<table> / aggregated.<domain>_<table>   the same, qualified by layer (on a name clash the
//                                                            unqualified name is the cleaned table)
// Partitioned tables expose `dt` (DATE) from the dt=YYYY-MM-DD folders. Views read the Parquet files at query time,
// so a new partition shows up without re-registering; a new TABLE needs registerLakeViews again.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../core/engine.ts';
import type { Context } from '../cli/context.ts';
import { listAll } from '../core/storage.ts';
import { sqlIdent, sqlString } from '../engines/duckdb/duckdb-engine.ts';
import { localTree } from '../layers/lake-io.ts';

export interface LakeView {
  /** Unqualified view name (main schema). */
  name: string;
  layer: 'cleaned' | 'aggregated';
  source: string;
  table: string;
  partitioned: boolean;
  files: number;
}

interface Found {
  layer: 'cleaned' | 'aggregated';
  source: string;
  table: string;
  partitioned: boolean;
  files: number;
}

async function discover(ctx: Context, layer: 'cleaned' | 'aggregated'): Promise<Found[]> {
  const prefix = ctx.layout.prefixes[layer];
  const found = new Map<string, Found>();
  for (const o of await listAll(ctx.storage, `${prefix}/`)) {
    if (!o.key.endsWith('.parquet')) continue;
    const parts = o.key.slice(prefix.length + 1).split('/');
    if (parts.length < 3) continue;
    const [source, table] = parts as [string, string];
    const partitioned = parts.length >= 4 && parts[2]!.startsWith('dt=');
    const id = `${source}/${table}`;
    const f = found.get(id) ?? { layer, source, table, partitioned, files: 0 };
    f.files++;
    f.partitioned ||= partitioned;
    found.set(id, f);
  }
  return [...found.values()].sort((a, b) => `${a.source}/${a.table}`.localeCompare(`${b.source}/${b.table}`));
}

export interface LakeTable extends LakeView {
  /** A DuckDB table function call reading the table's Parquet files. */
  read: string;
}

/** Every cleaned/aggregated table in the lake with the expression that reads it. */
export async function discoverLakeTables(ctx: Context, opts: { cacheDir?: string; layers?: ('cleaned' | 'aggregated')[] } = {}): Promise<LakeTable[]> {
  const out: LakeTable[] = [];
  for (const layer of opts.layers ?? (['cleaned', 'aggregated'] as const)) {
    const tables = await discover(ctx, layer);
    if (tables.length === 0) continue;
    // Object stores without local paths are mirrored into a cache folder (no httpfs offline).
    const cache = opts.cacheDir ?? join(ctx.loaded.tmpDir, 'lake-cache');
    mkdirSync(cache, { recursive: true });
    if (!ctx.storage.capabilities.localPaths) rmSync(join(cache, layer), { recursive: true, force: true }); // no stale mirrored files
    const root = await localTree(ctx.storage, ctx.layout.prefixes[layer], join(cache, layer));
    for (const t of tables) {
      const glob = join(root, t.source, t.table, ...(t.partitioned ? ['*', '*.parquet'] : ['*.parquet']));
      const read = `read_parquet(${sqlString(glob)}, hive_partitioning = ${t.partitioned}, union_by_name = true)`;
      out.push({ name: `${t.source}_${t.table}`, ...t, read });
    }
  }
  return out;
}

/** Creates/replaces the views on `engine`; returns what was registered. */
export async function registerLakeViews(engine: Engine, ctx: Context, opts: { cacheDir?: string } = {}): Promise<LakeView[]> {
  await engine.run(`CREATE SCHEMA IF NOT EXISTS cleaned`);
  await engine.run(`CREATE SCHEMA IF NOT EXISTS aggregated`);
  const taken = new Set<string>();
  const views: LakeView[] = [];
  for (const t of await discoverLakeTables(ctx, opts)) {
    await engine.run(`CREATE OR REPLACE VIEW ${t.layer}.${sqlIdent(t.name)} AS SELECT * FROM ${t.read}`);
    if (!taken.has(t.name)) {
      await engine.run(`CREATE OR REPLACE VIEW main.${sqlIdent(t.name)} AS SELECT * FROM ${t.layer}.${sqlIdent(t.name)}`);
      taken.add(t.name);
    }
    const { read: _r, ...view } = t;
    views.push(view);
  }
  return views;
}
