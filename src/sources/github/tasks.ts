// Pipeline task kinds for the GitHub sources. The pipeline discovers kinds from src/pipeline/tasks/*.ts; wire these
// with one-line files there:
//   src/pipeline/tasks/extract-gharchive.ts: export { extractGharchiveTask as task } from '../../sources/github/tasks.ts';
//   src/pipeline/tasks/poll-github.ts:       export { pollGithubTask as task } from '../../sources/github/tasks.ts';
import { z } from 'zod';
import { EventlakeError } from '../../core/errors.ts';
import { defineTask } from '../../pipeline/task.ts';
import { extractGhArchive } from './gharchive.ts';
import { pollGithub } from './events-api.ts';

export const extractGharchiveTask = defineTask({
  kind: 'extract-gharchive',
  description: 'land the GH Archive hours of the window in raw/github (skips hours already done; 404 hours recorded as gaps)',
  params: z.object({ force: z.boolean().default(false), concurrency: z.number().int().min(1).max(16).optional() }).strict(),
  async run(t) {
    const r = await extractGhArchive(t.app, { start: t.window.firstHour, end: t.window.lastHour, force: t.params.force, concurrency: t.params.concurrency, signal: t.signal, quiet: true });
    const detail = { landed: r.landed, skipped: r.skipped, missing: r.missing, failed: r.failed };
    if (r.failed.length) {
      // Retryable: the runner's next attempt refetches only the failed hours (done ones are checkpointed).
      throw new EventlakeError(`${r.failed.length} GH Archive hour(s) failed: ${r.failed.join(', ')}`, { step: 'extract.gharchive', code: 'PARTIAL', retryable: true, context: detail });
    }
    return { rows: r.lines, bytes: r.bytes, detail };
  },
});

export const pollGithubTask = defineTask({
  kind: 'poll-github',
  description: 'poll the GitHub Events API once and land new events in raw/github (ETag, rate limits, id dedup)',
  params: z.object({ scope: z.string().optional() }).strict(),
  async run(t) {
    const r = await pollGithub(t.app, { once: true, scope: t.params.scope, signal: t.signal });
    return { rows: r.newEvents, detail: { scope: r.scope, requests: r.requests, notModified: r.notModified, duplicates: r.duplicates, batches: r.batches.length } };
  },
});
