// Panel results cached per (principal, panel, parameters) and gold version. Gold only changes when a pipeline
// rebuilds it, so the version is a digest of the domain's Parquet file list (keys and sizes), re-listed at most every
// `stampTtlMs`: a rebuilt partition is visible within that time. Hits still go through authentication and are audited
// by the plugin; only the DuckDB work is skipped. Bounded LRU.
import { createHash } from 'node:crypto';
import type { Context } from '../../cli/context.ts';

export class PanelCache<T> {
  private readonly entries = new Map<string, T>();
  private readonly stamps = new Map<string, { at: number; stamp: Promise<string> }>();

  constructor(private readonly ctx: Context, private readonly o: { maxEntries?: number; stampTtlMs?: number } = {}) {}

  /** Digest of aggregated/<domain>/**.parquet keys and sizes. */
  stamp(domain: string): Promise<string> {
    const now = Date.now();
    const cur = this.stamps.get(domain);
    if (cur && now - cur.at <= (this.o.stampTtlMs ?? 5_000)) return cur.stamp;
    const stamp = (async () => {
      const h = createHash('sha256');
      for await (const obj of this.ctx.storage.list(`${this.ctx.layout.prefixes.aggregated}/${domain}/`)) {
        if (obj.key.endsWith('.parquet')) h.update(`${obj.key}\t${obj.size}\n`);
      }
      return h.digest('hex').slice(0, 16);
    })();
    stamp.catch(() => this.stamps.delete(domain));
    this.stamps.set(domain, { at: now, stamp });
    return stamp;
  }

  get(key: string): T | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key); // refresh LRU position
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    const max = this.o.maxEntries ?? 500;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
  }
}
