// Finds the lake's Parquet tables (cleaned/<source>/<table>/, aggregated/<domain>/<table>/) and reads each table's
// columns from one of its Parquet files with a local engine (DuckDB DESCRIBE), so Glue tables match what the
// pipeline actually wrote. Works on a local lake and on S3 (the sample file is streamed to a temp folder).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '../../core/engine.ts';
import type { Storage } from '../../core/storage.ts';
import type { LakeLayout } from '../../lake/layout.ts';
import { duckdbToHive, type ColumnDef } from './athena-sql.ts';
import { catalogTableName } from '../../models/gold-schema.ts';

export interface LakeTable {
  layer: 'cleaned' | 'aggregated';
  /** Source (cleaned) or domain (aggregated). */
  group: string;
  table: string;
  /**
   * Glue table name by the catalog's one rule, catalogTableName (src/models/gold-schema.ts, also the CDK Catalog
   * stack's): <source>_<table> / <domain>_<table>, as the local `eventlake query` views; on a clash the cleaned table
   * keeps the name and the gold one is aggregated_<domain>_<table>.
   */
  glueName: string;
  /** Lake key prefix ending in '/'. */
  prefix: string;
  partitioned: boolean;
  sampleKey: string;
  columns: ColumnDef[];
}

const glueSafe = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]+/g, '_');

export async function discoverLakeTables(storage: Storage, layout: LakeLayout, engine: Engine, tmpDir: string): Promise<LakeTable[]> {
  const found = new Map<string, Omit<LakeTable, 'columns'>>();
  for (const layer of ['cleaned', 'aggregated'] as const) {
    const root = `${layout.prefixes[layer]}/`;
    for await (const o of storage.list(root)) {
      if (!o.key.endsWith('.parquet')) continue;
      const parts = o.key.slice(root.length).split('/');
      if (parts.length < 3) continue;
      const [group, table] = parts as [string, string];
      const id = `${layer}/${group}/${table}`;
      const partitioned = parts[2]!.startsWith('dt=');
      const prev = found.get(id);
      if (prev) {
        prev.partitioned ||= partitioned;
        continue;
      }
      found.set(id, {
        layer,
        group,
        table,
        glueName: catalogTableName(group, table),
        prefix: `${root}${group}/${table}/`,
        partitioned,
        sampleKey: o.key,
      });
    }
  }
  const cleanedNames = new Set([...found.values()].filter((t) => t.layer === 'cleaned').map((t) => t.glueName));
  for (const t of found.values()) if (t.layer === 'aggregated' && cleanedNames.has(t.glueName)) t.glueName = glueSafe(`aggregated_${t.group}_${t.table}`);
  const dir = await mkdtemp(join(tmpDir, 'athena-describe-'));
  try {
    const out: LakeTable[] = [];
    for (const t of found.values()) {
      let path = storage.localPath(t.sampleKey);
      if (!path) {
        path = join(dir, `${t.glueName}.parquet`);
        await pipeline(await storage.read(t.sampleKey), createWriteStream(path));
      }
      const rows = await engine.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet('${path.replace(/'/g, "''")}')`);
      const columns = rows.filter((r) => r.column_name !== 'dt').map((r) => ({ name: glueSafe(r.column_name), type: duckdbToHive(r.column_type) }));
      out.push({ ...t, columns });
    }
    return out.sort((a, b) => a.glueName.localeCompare(b.glueName));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
