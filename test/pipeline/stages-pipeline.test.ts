// The real stage task kinds wired into a pipeline: GH Archive (local server on 127.0.0.1, bundled sample) →
// transform → aggregate → load duckdb, run by the pipeline runner for one day window; a rerun of the same window
// finds every step done, and a forced rerun replaces outputs without duplicating them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildContext } from '../../src/cli/context.ts';
import { runPipeline } from '../../src/pipeline/runner.ts';
import { startGithubDevServers } from '../../src/sources/github/index.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';

const repo = new URL('../..', import.meta.url).pathname;

test('pipeline: extract-gharchive → transform → aggregate → load with the real task kinds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'el-stages-'));
  const gh = await startGithubDevServers({ dataDir: join(repo, 'samples/github/gharchive'), host: '127.0.0.1', port: 0 });
  try {
    const pipeline = {
      name: 'github-daily',
      window: 'day',
      steps: [
        { id: 'ingest', kind: 'extract-gharchive' },
        { id: 'transform', kind: 'transform', dependsOn: ['ingest'], params: { source: 'github' } },
        { id: 'aggregate', kind: 'aggregate', dependsOn: ['transform'], params: { source: 'github' } },
        { id: 'load', kind: 'load', dependsOn: ['aggregate'], params: { target: 'duckdb' } },
      ],
    };
    const ctx = await buildContext({ lake: join(dir, 'lake') }, { github: { gharchive: { baseUrl: gh.gharchiveUrl } }, operate: { pipelines: [pipeline] } });
    const run = await runPipeline(ctx, 'github-daily', '2026-11-01');
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error ?? run.steps.map((s) => [s.id, s.status])));
    assert.deepEqual(run.steps.map((s) => s.id), ['ingest', 'transform', 'aggregate', 'load']);
    // 24 hours were asked for; the sample has 6, so 18 are recorded as gaps (not failures).
    const ingest = run.steps.find((s) => s.id === 'ingest')! as unknown as { detail?: { landed: number; missing: string[] } };
    assert.equal(ingest.detail?.landed, 6);
    assert.equal(ingest.detail?.missing.length, 18);

    const sum = async () => {
      const e = await DuckDbEngine.open();
      try {
        const [r] = await e.all<{ n: number }>(`SELECT sum(event_count)::BIGINT AS n FROM read_parquet(${sqlString(join(dir, 'lake/aggregated/github/fact_events/*/*.parquet'))})`);
        const [c] = await e.all<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(join(dir, 'lake/cleaned/github/events/*/*.parquet'))})`);
        return [Number(r!.n), Number(c!.n)] as const;
      } finally {
        await e.close();
      }
    };
    const [facts, cleaned] = await sum();
    assert.ok(cleaned > 0);
    assert.equal(facts, cleaned, 'every cleaned event is counted once in gold');

    const again = await runPipeline(ctx, 'github-daily', '2026-11-01');
    assert.equal(again.status, 'succeeded');
    const forced = await runPipeline(ctx, 'github-daily', '2026-11-01', { force: true });
    assert.equal(forced.status, 'succeeded');
    assert.deepEqual([...(await sum())], [facts, cleaned], 'a forced rerun replaces, never duplicates');
  } finally {
    await gh.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
