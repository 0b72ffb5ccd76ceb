// What a BI warehouse load reads from the lake: a gold table's Parquet files grouped by dt partition (a dimension is
// one group named "*"), each with a fingerprint of its files so an unchanged partition can be skipped.
import { createHash } from 'node:crypto';
import type { Context } from '../cli/context.ts';
import { listAll, type ObjectInfo } from '../core/storage.ts';
import { partitionOf } from '../lake/layout.ts';
import type { GoldTable } from './gold-tables.ts';

export interface GoldPartition {
  /** "YYYY-MM-DD", or "*" for a table without a partition column. */
  partition: string;
  files: ObjectInfo[];
  fingerprint: string;
}

function fingerprint(files: ObjectInfo[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.key}\0${f.size}\0${f.lastModified.getTime()}\n`);
  return h.digest('hex').slice(0, 32);
}

/** The table's partitions in [from, to] (dimensions ignore the window), sorted; empty when the table has no files. */
export async function goldPartitions(ctx: Context, t: GoldTable, window: { from?: string; to?: string } = {}): Promise<GoldPartition[]> {
  const files = (await listAll(ctx.storage, ctx.layout.aggregatedPrefix(t.domain, t.name))).filter((f) => f.key.endsWith('.parquet'));
  const groups = new Map<string, ObjectInfo[]>();
  for (const f of files) {
    const part = t.partitionColumn ? partitionOf(f.key).dt : '*';
    if (!part || (t.partitionColumn && ((window.from && part < window.from) || (window.to && part > window.to)))) continue;
    groups.set(part, [...(groups.get(part) ?? []), f]);
  }
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([partition, group]) => ({ partition, files: group, fingerprint: fingerprint(group) }));
}
