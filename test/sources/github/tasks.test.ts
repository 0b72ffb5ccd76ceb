import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startGithubDevServers } from '../../../src/sources/github/dev-servers.ts';
import { pollGithubTask } from '../../../src/sources/github/tasks.ts';
import { task as extractGharchiveTask } from '../../../src/pipeline/tasks/extract-gharchive.ts';
import { extractGhArchive } from '../../../src/sources/github/gharchive.ts';
import { parseWindow } from '../../../src/pipeline/window.ts';
import { log } from '../../../src/core/log.ts';
import type { Context } from '../../../src/cli/context.ts';
import { EventlakeError } from '../../../src/core/errors.ts';
import { fastRetry, makeContext, sampleDir, tempDir } from './helpers.ts';

function taskCtx<P>(app: Context, params: P, window = parseWindow('2026-11-01', 'day'), signal = new AbortController().signal) {
  return { app, window, params, pipeline: 'github-daily', step: 'extract', runId: 'r1', attempt: 1, signal, log };
}

test('tasks: extract-gharchive lands the day window (gaps recorded) and is idempotent; poll-github lands new events', async () => {
  const t = await tempDir();
  const srv = await startGithubDevServers({ dataDir: sampleDir });
  try {
    const app = await makeContext(join(t.dir, 'lake'), { gharchive: { baseUrl: srv.gharchiveUrl, retry: fastRetry }, api: { baseUrl: srv.apiUrl, retry: fastRetry, tokenEnv: 'EL_TEST_NO_TOKEN' } });
    const params = extractGharchiveTask.params!.parse({});
    const r = await extractGharchiveTask.run(taskCtx(app, params));
    assert.equal(r?.rows, 6 * 300 - 1);
    assert.equal((r?.detail?.missing as string[]).length, 18);
    const again = await extractGharchiveTask.run(taskCtx(app, params));
    assert.equal(again?.detail?.skipped, 6);
    assert.equal(again?.rows, 0);
    const p = await pollGithubTask.run(taskCtx(app, pollGithubTask.params!.parse({ scope: 'events' })));
    assert.equal(p?.rows, 300);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('tasks: an abort stops a backfill mid-download with a retryable ABORTED error; the rerun completes', async () => {
  const t = await tempDir();
  const srv = await startGithubDevServers({ dataDir: sampleDir, faults: [{ target: '2026-11-01-1.json.gz', kind: 'stall', times: 1 }] });
  try {
    const app = await makeContext(join(t.dir, 'lake'), { gharchive: { baseUrl: srv.gharchiveUrl, retry: fastRetry } });
    const ac = new AbortController();
    const watcher = setInterval(() => {
      if (srv.requests.some((q) => q.path.endsWith('2026-11-01-1.json.gz'))) ac.abort();
    }, 10);
    const err = await extractGhArchive(app, { start: '2026-11-01T00', end: '2026-11-01T03', concurrency: 1, signal: ac.signal, quiet: true }).then(() => undefined, (e: unknown) => e);
    clearInterval(watcher);
    assert.ok(err instanceof EventlakeError);
    assert.equal(err.code, 'ABORTED');
    assert.equal(err.retryable, true);
    assert.equal(await app.storage.head('raw/github/dt=2026-11-01/hour=01/gharchive-2026-11-01-01.json.gz'), undefined);
    const r = await extractGhArchive(app, { start: '2026-11-01T00', end: '2026-11-01T03', quiet: true });
    assert.equal(r.skipped, 1);
    assert.equal(r.landed, 3);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});
