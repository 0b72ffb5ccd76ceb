// Task kind "extract-amplitude": the window's hours from the Amplitude Export API into raw/amplitude (checkpointed
// per window, so a retry resumes and never duplicates). Partial windows fail the step as retryable.
import { z } from 'zod';
import { EventlakeError } from '../../core/errors.ts';
import { extractAmplitude } from '../../sources/amplitude/index.ts';
import { defineTask } from '../task.ts';

export const task = defineTask({
  kind: 'extract-amplitude',
  description: 'extract the window from the Amplitude Export API into raw/amplitude',
  params: z.object({ force: z.boolean().default(false), concurrency: z.number().int().min(1).optional() }).strict(),
  async run(t) {
    const s = await extractAmplitude(t.app, { start: t.window.firstHour, end: t.window.lastHour, force: t.params.force, concurrency: t.params.concurrency, quiet: true });
    if (s.exitCode !== 0) {
      throw new EventlakeError(`amplitude extract ${t.window.id}: ${s.hours.failed} of ${s.hours.total} hours failed`, {
        step: 'extract.amplitude',
        retryable: true,
        next: `eventlake extract amplitude --start ${t.window.firstHour} --end ${t.window.lastHour}`,
      });
    }
    return { rows: s.events, bytes: s.bytes, detail: { hours: s.hours, entries: s.entries } };
  },
});
