// `eventlake status`: what raw/ holds per source, dt and hour (files, bytes, events), plus the gaps and failures
// recorded in checkpoints. Reads only the lake (listing, manifests, checkpoints), so it works for every source.
import type { Registrar } from '../program.ts';
import type { Context } from '../context.ts';
import { listAll } from '../../core/storage.ts';
import { partitionOf } from '../../lake/layout.ts';

export interface HourStatus {
  dt: string;
  hour: number;
  files: number;
  bytes: number;
  /** Events/lines from manifests, when the source records them. */
  events?: number;
  status: 'landed' | 'missing' | 'failed' | 'empty';
  detail?: string;
}

export interface SourceStatus {
  source: string;
  files: number;
  bytes: number;
  events: number;
  hours: HourStatus[];
  missing: string[];
  failed: string[];
}

const hourId = (dt: string, hour: number) => `${dt}T${String(hour).padStart(2, '0')}`;

export async function collectStatus(ctx: Context, source: string): Promise<SourceStatus> {
  const byHour = new Map<string, HourStatus>();
  const get = (dt: string, hour: number) => {
    const id = hourId(dt, hour);
    let h = byHour.get(id);
    if (!h) byHour.set(id, (h = { dt, hour, files: 0, bytes: 0, status: 'landed' }));
    return h;
  };
  for (const o of await listAll(ctx.storage, ctx.layout.rawPrefix(source))) {
    const { dt, hour } = partitionOf(o.key);
    if (!dt || hour === undefined) continue;
    const h = get(dt, hour);
    h.files++;
    h.bytes += o.size;
  }
  for (const m of await ctx.meta.listManifests<{ key?: string; lines?: number; events?: number }>(source)) {
    if (!m?.key) continue;
    const { dt, hour } = partitionOf(m.key);
    if (!dt || hour === undefined || !byHour.has(hourId(dt, hour))) continue;
    const n = typeof m.lines === 'number' ? m.lines : typeof m.events === 'number' ? m.events : undefined;
    if (n !== undefined) {
      const h = get(dt, hour);
      h.events = (h.events ?? 0) + n;
    }
  }
  for (const cp of await ctx.meta.listCheckpoints(source)) {
    if (cp.status === 'done') continue;
    // Windows name their hour(s) as YYYY-MM-DDTHH; a range "a..b" marks its first hour.
    const m = /(\d{4}-\d{2}-\d{2})T(\d{2})/.exec(cp.window);
    if (!m) continue;
    const h = get(m[1]!, Number(m[2]));
    if (h.files > 0 && cp.status !== 'failed') continue;
    const missing = cp.status === 'empty' && (cp.detail as { missing?: boolean } | undefined)?.missing;
    h.status = cp.status === 'failed' ? 'failed' : missing ? 'missing' : 'empty';
    const d = cp.detail as { reason?: string; quarantineKey?: string } | undefined;
    h.detail = [d?.reason, d?.quarantineKey && `quarantined at ${d.quarantineKey}`].filter(Boolean).join('; ') || undefined;
  }
  const hours = [...byHour.values()].sort((a, b) => (hourId(a.dt, a.hour) < hourId(b.dt, b.hour) ? -1 : 1));
  return {
    source,
    files: hours.reduce((s, h) => s + h.files, 0),
    bytes: hours.reduce((s, h) => s + h.bytes, 0),
    events: hours.reduce((s, h) => s + (h.events ?? 0), 0),
    hours,
    missing: hours.filter((h) => h.status === 'missing').map((h) => hourId(h.dt, h.hour)),
    failed: hours.filter((h) => h.status === 'failed').map((h) => hourId(h.dt, h.hour)),
  };
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export function formatStatus(s: SourceStatus): string {
  const lines = [
    `${s.source}: ${s.hours.filter((h) => h.files > 0).length} hour(s), ${s.files} file(s), ${human(s.bytes)}, ${s.events} event(s); ` +
      `missing: ${s.missing.length ? s.missing.join(', ') : 'none'}; failed: ${s.failed.length ? s.failed.join(', ') : 'none'}`,
  ];
  if (s.hours.length) {
    const rows = [['dt', 'hour', 'files', 'bytes', 'events', 'status'], ...s.hours.map((h) => [h.dt, String(h.hour).padStart(2, '0'), String(h.files), human(h.bytes), h.events === undefined ? '-' : String(h.events), h.status + (h.detail ? ` (${h.detail})` : '')])];
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) lines.push('  ' + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  '));
  }
  return lines.join('\n');
}

export function register(reg: Registrar): void {
  reg.program
    .command('status')
    .description(
      'show what raw/ holds per dt and hour (files, bytes, events) and the hours recorded as missing (404) or failed\n' +
        '(quarantined), from the lake listing, manifests and checkpoints in _eventlake/',
    )
    .option('--source <name>', 'github or amplitude (default: every source found in raw/)')
    .option('--json', 'print JSON on stdout')
    .action(async (o: { source?: string; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      let sources = o.source ? [o.source] : [];
      if (!o.source) {
        const found = new Set<string>();
        for (const obj of await listAll(ctx.storage, `${ctx.layout.prefixes.raw}/`)) {
          const s = obj.key.split('/')[1];
          if (s) found.add(s);
        }
        for (const s of ['amplitude', 'github']) if ((await ctx.meta.listCheckpoints(s)).length) found.add(s);
        sources = [...found].sort();
      }
      const all = [];
      for (const s of sources) all.push(await collectStatus(ctx, s));
      if (o.json) process.stdout.write(JSON.stringify(o.source ? all[0] : all, null, 2) + '\n');
      else process.stdout.write((all.length ? all.map(formatStatus).join('\n\n') : `nothing in ${ctx.loaded.lakeRoot} yet`) + '\n');
    });
}
