// Registers every cleaned and aggregated table of the lake as a DuckDB view, so `eventlake query`, the HTTP API and
// the dashboards query the lake by name:
//   <source>_<table>           e.g. amplitude_events, github_events                  (cleaned, silver)
//   <domain>_<table>           e.g. amplitude_daily_events, github_fact_events       (aggregated, gold)
//   cleaned.<source>_<table> / aggregated.<domain>_<table>   the same, qualified by layer (on a name clash the
//                                                            unqualified name is the cleaned table)
// Partitioned tables expose `dt` (DATE) from the dt=YYYY-MM-DD folders. Views read the Parquet files at query time,
// so a new partition shows up without re-registering; a new TABLE needs registerLakeViews again.
import { mkdirSync } from 'node:fs';
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

/** Creates/replaces the views on `engine`; returns what was registered. */
export async function registerLakeViews(engine: Engine, ctx: Context, opts: { cacheDir?: string } = {}): Promise<LakeView[]> {
  const views: LakeView[] = [];
  await engine.run(`CREATE SCHEMA IF NOT EXISTS cleaned`);
  await engine.run(`CREATE SCHEMA IF NOT EXISTS aggregated`);
  const taken = new Set<string>();
  for (const layer of ['cleaned', 'aggregated'] as const) {
    const tables = await discover(ctx, layer);
    if (tables.length === 0) continue;
    // Object stores without local paths are mirrored into a cache folder (no httpfs offline).
    const cache = opts.cacheDir ?? join(ctx.loaded.tmpDir, 'lake-cache');
    mkdirSync(cache, { recursive: true });
    const root = await localTree(ctx.storage, ctx.layout.prefixes[layer], join(cache, layer));
    for (const t of tables) {
      const glob = join(root, t.source, t.table, ...(t.partitioned ? ['*', '*.parquet'] : ['*.parquet']));
      const read = `read_parquet(${sqlString(glob)}, hive_partitioning = ${t.partitioned}, union_by_name = true)`;
      const name = `${t.source}_${t.table}`;
      await engine.run(`CREATE OR REPLACE VIEW ${layer}.${sqlIdent(name)} AS SELECT * FROM ${read}`);
      if (!taken.has(name)) {
        await engine.run(`CREATE OR REPLACE VIEW main.${sqlIdent(name)} AS SELECT * FROM ${layer}.${sqlIdent(name)}`);
        taken.add(name);
      }
      views.push({ name, ...t });
    }
  }
  return views;
}
