import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import { LocalStorage } from '../../src/storage/local/local-storage.ts';
import { LakeLayout } from '../../src/lake/layout.ts';
import { MetaStore } from '../../src/lake/meta-store.ts';
import { log } from '../../src/core/log.ts';
import { acquireLock } from '../../src/pipeline/lock.ts';
import { runPipeline } from '../../src/pipeline/runner.ts';
import { testLake } from './helpers.ts';

test('command task: runs eventlake commands with window placeholders; failures carry exit code, retryability and next', async () => {
  const scratch = await testLake();
  try {
    const config = {
      lake: { root: './lake' },
      operate: {
        pipelines: [
          { name: 'inner', steps: [{ id: 'archive', kind: 'lifecycle' }] },
          {
            name: 'outer',
            steps: [
              { id: 'check', kind: 'command', params: { args: ['config', 'check'] } },
              { id: 'inner', kind: 'command', dependsOn: ['check'], params: { args: ['run', 'inner', '--window', '{dt}'] }, retry: { attempts: 2, baseMs: 1, maxMs: 1 } },
            ],
          },
          { name: 'typo', steps: [{ id: 'x', kind: 'command', params: { args: ['run', '{day}'] } }] },
        ],
      },
    };
    const file = join(scratch.dir, 'eventlake.config.yaml');
    await writeFile(file, stringify(config));
    const loaded = loadConfig({ path: file, env: {}, dotenv: false });
    const storage = new LocalStorage({ root: loaded.lakeRoot });
    const layout = new LakeLayout(loaded.config.lake.prefixes);
    const ctx = { loaded, storage, layout, meta: new MetaStore(storage, layout), log };

    const ok = await runPipeline(ctx, 'outer', '2026-11-01');
    assert.equal(ok.status, 'succeeded', JSON.stringify(ok.error));
    assert.equal(ok.steps[1]!.detail?.command, 'eventlake run inner --window 2026-11-01');
    // The inner pipeline really ran, in the same lake.
    const { RunHistory } = await import('../../src/pipeline/history.ts');
    assert.equal((await new RunHistory(storage, layout).latest('inner', '2026-11-01'))?.status, 'succeeded');

    // While someone holds inner's lock for 2026-11-02 the child fails with a retryable LOCKED error: retried, then failed.
    const held = await acquireLock(storage, layout, { pipeline: 'inner', window: '2026-11-02', runId: 'holder', ttlMs: 600_000 });
    try {
      const failed = await runPipeline(ctx, 'outer', '2026-11-02');
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error?.step, 'inner');
      assert.match(failed.error!.message, /eventlake run inner --window 2026-11-02 exited with code 1: error \[pipeline\.lock\] LOCKED/);
      assert.equal(failed.steps[1]!.attempts.length, 2);
      assert.equal(failed.steps[0]!.status, 'succeeded');
    } finally {
      await held.release();
    }
    await assert.rejects(runPipeline(ctx, 'typo', '2026-11-01'), /invalid params: args\.1: unknown placeholder/);
  } finally {
    await scratch.cleanup();
  }
});
