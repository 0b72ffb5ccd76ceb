// Task kind "extract-gharchive": the window's GH Archive hours into raw/github (checkpointed per hour).
// Missing hours are recorded, not failures; failed hours fail the step as retryable.
import { z } from 'zod';
import { EventlakeError } from '../../core/errors.ts';
import { extractGhArchive } from '../../sources/github/index.ts';
import { defineTask } from '../task.ts';

export const task = defineTask({
  kind: 'extract-gharchive',
  description: 'extract the window from GH Archive into raw/github',
  params: z.object({ force: z.boolean().default(false), concurrency: z.number().int().min(1).optional() }).strict(),
  async run(t) {
    const r = await extractGhArchive(t.app, { start: t.window.firstHour, end: t.window.lastHour, force: t.params.force, concurrency: t.params.concurrency, quiet: true });
    if (r.failed.length) {
      throw new EventlakeError(`gharchive ${t.window.id}: hours failed: ${r.failed.join(', ')}`, {
        step: 'extract.gharchive',
        retryable: true,
        next: `eventlake extract gharchive --start ${t.window.firstHour} --end ${t.window.lastHour}`,
      });
    }
    return { rows: r.lines, bytes: r.bytes, detail: { landed: r.landed, skipped: r.skipped, missing: r.missing } };
  },
});
