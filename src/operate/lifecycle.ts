// Raw-data lifecycle: raw objects whose partition day (dt=…) is older than N days move to the archive tier.
// Locally "archive tier" is the archive/ prefix (archive/raw/...); `restore` moves them back. On S3 the CDK bucket
// lifecycle rule transitions raw/ to Glacier itself, so here we only report what the rule covers.
// Guard rails (Snowflake cannot read archived objects): only keys under raw/ are ever considered, never the
// python-import/ stage prefix, and never a raw file whose day has not been transformed yet (no cleaned partition
// for that source and day) — it may still have to be loaded.
import type { Context } from '../cli/context.ts';
import { EventlakeError } from '../core/errors.ts';
import { partitionOf } from '../lake/layout.ts';
import { mapLimit } from '../core/retry.ts';
import type { AuditLog } from '../audit/audit-log.ts';

export interface LifecyclePlanItem {
  key: string;
  to: string;
  size: number;
  dt?: string;
}

export interface LifecycleResult {
  mode: 'dry-run' | 'apply' | 'managed-by-s3-rule';
  cutoffDt: string;
  moved: LifecyclePlanItem[];
  /** Old enough but kept, with the reason (not yet loaded). */
  kept: { key: string; reason: string }[];
  bytes: number;
}

export interface LifecycleOptions {
  days?: number;
  dryRun?: boolean;
  source?: string;
  now?: Date;
  audit?: AuditLog;
  actor?: string;
}

function cutoff(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Sources' days that have cleaned output (i.e. the raw files of that day were loaded). */
async function loadedDays(app: Context, source: string): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const o of app.storage.list(`${app.layout.prefixes.cleaned}/${source}/`)) {
    const dt = partitionOf(o.key).dt;
    if (dt) out.add(dt);
  }
  return out;
}

export async function archiveRaw(app: Context, o: LifecycleOptions = {}): Promise<LifecycleResult> {
  const days = o.days ?? app.loaded.config.operate.lifecycle.rawArchiveAfterDays;
  const cut = cutoff(o.now ?? new Date(), days);
  const { raw, stage, archive } = app.layout.prefixes;
  if (raw === stage || stage.startsWith(`${raw}/`)) {
    throw new EventlakeError(`lake prefixes overlap (raw=${raw}, stage=${stage}): refusing to archive`, { step: 'lifecycle', code: 'CONFIG' });
  }
  const prefix = o.source ? app.layout.rawPrefix(o.source) : `${raw}/`;
  const loaded = new Map<string, Set<string>>();
  const moved: LifecyclePlanItem[] = [];
  const kept: LifecycleResult['kept'] = [];
  for await (const obj of app.storage.list(prefix)) {
    if (!obj.key.startsWith(`${raw}/`) || obj.key.startsWith(`${stage}/`)) continue;
    const source = obj.key.slice(raw.length + 1).split('/')[0]!;
    const dt = partitionOf(obj.key).dt ?? obj.lastModified.toISOString().slice(0, 10);
    if (dt >= cut) continue;
    if (!loaded.has(source)) loaded.set(source, await loadedDays(app, source));
    if (!loaded.get(source)!.has(dt)) {
      kept.push({ key: obj.key, reason: `no cleaned partition for ${source} dt=${dt} yet (not loaded)` });
      continue;
    }
    moved.push({ key: obj.key, to: `${archive}/${obj.key}`, size: obj.size, dt });
  }
  const bytes = moved.reduce((a, m) => a + m.size, 0);
  const mode: LifecycleResult['mode'] = app.storage.kind === 's3' ? 'managed-by-s3-rule' : o.dryRun ? 'dry-run' : 'apply';
  if (mode === 'apply') {
    await mapLimit(moved, 8, async (m) => {
      // Copy, check, then delete: a crash in between leaves a duplicate in archive/, never a loss.
      await app.storage.copy(m.key, m.to);
      const head = await app.storage.head(m.to);
      if (!head || head.size !== m.size) throw new EventlakeError(`archive copy of ${m.key} is incomplete`, { step: 'lifecycle', retryable: true, next: 'eventlake lifecycle apply' });
      await app.storage.delete(m.key);
    });
    if (moved.length) {
      await o.audit?.append({ actor: o.actor ?? 'cli', action: 'lifecycle.archive', target: prefix, outcome: 'ok', detail: { objects: moved.length, bytes, cutoffDt: cut } });
    }
  }
  return { mode, cutoffDt: cut, moved, kept, bytes };
}

/** Moves archived raw objects back (optionally only one source / a dt range). */
export async function restoreRaw(
  app: Context,
  o: { source?: string; fromDt?: string; toDt?: string; dryRun?: boolean; audit?: AuditLog; actor?: string } = {},
): Promise<LifecycleResult> {
  const { raw, archive } = app.layout.prefixes;
  const prefix = `${archive}/${raw}/` + (o.source ? `${o.source}/` : '');
  const moved: LifecyclePlanItem[] = [];
  for await (const obj of app.storage.list(prefix)) {
    const dt = partitionOf(obj.key).dt;
    if (o.fromDt && (!dt || dt < o.fromDt)) continue;
    if (o.toDt && (!dt || dt > o.toDt)) continue;
    moved.push({ key: obj.key, to: obj.key.slice(archive.length + 1), size: obj.size, dt });
  }
  if (!o.dryRun) {
    await mapLimit(moved, 8, async (m) => {
      await app.storage.copy(m.key, m.to);
      await app.storage.delete(m.key);
    });
    if (moved.length) await o.audit?.append({ actor: o.actor ?? 'cli', action: 'lifecycle.restore', target: prefix, outcome: 'ok', detail: { objects: moved.length } });
  }
  return { mode: o.dryRun ? 'dry-run' : 'apply', cutoffDt: '', moved, kept: [], bytes: moved.reduce((a, m) => a + m.size, 0) };
}
