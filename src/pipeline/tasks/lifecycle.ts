// Task kind "lifecycle": moves raw objects older than N days (default operate.lifecycle.rawArchiveAfterDays) to the
// archive tier, never python-import/ and never days not loaded yet. Idempotent: archived objects are gone from raw/.
import { z } from 'zod';
import { defineTask } from '../task.ts';
import { archiveRaw } from '../../operate/lifecycle.ts';
import { AuditLog } from '../../audit/audit-log.ts';

export const task = defineTask({
  kind: 'lifecycle',
  description: 'archive raw objects older than N days (local: archive/ prefix; S3: reported, the bucket rule moves them)',
  params: z.object({ days: z.number().int().min(1).optional(), source: z.string().optional(), dryRun: z.boolean().default(false) }).strict(),
  async run(t) {
    const audit = new AuditLog(t.app.storage, t.app.layout);
    // Age is measured from the end of the run's window, so a backfill of old windows behaves like it did then.
    const r = await archiveRaw(t.app, { days: t.params.days, source: t.params.source, dryRun: t.params.dryRun, now: t.window.end, audit, actor: `pipeline:${t.pipeline}` });
    return { rows: r.moved.length, bytes: r.bytes, detail: { mode: r.mode, cutoffDt: r.cutoffDt, keptNotLoaded: r.kept.length } };
  },
});
