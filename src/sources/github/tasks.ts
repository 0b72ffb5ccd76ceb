// Pipeline task kind for the Events API poller (extract-gharchive lives in src/pipeline/tasks/). The pipeline
// discovers kinds from src/pipeline/tasks/*.ts; wire this one with a one-line file there:
//   src/pipeline/tasks/poll-github.ts: export { pollGithubTask as task } from '../../sources/github/tasks.ts';
import { z } from 'zod';
import { defineTask } from '../../pipeline/task.ts';
import { pollGithub } from './events-api.ts';

export const pollGithubTask = defineTask({
  kind: 'poll-github',
  description: 'poll the GitHub Events API once and land new events in raw/github (ETag, rate limits, id dedup)',
  params: z.object({ scope: z.string().optional() }).strict(),
  async run(t) {
    const r = await pollGithub(t.app, { once: true, scope: t.params.scope, signal: t.signal });
    return { rows: r.newEvents, detail: { scope: r.scope, requests: r.requests, notModified: r.notModified, duplicates: r.duplicates, batches: r.batches.length } };
  },
});
