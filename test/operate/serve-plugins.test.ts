import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import Fastify from 'fastify';
import { z } from 'zod';
import { metrics } from '../../src/core/metrics.ts';
import { defineTask } from '../../src/pipeline/task.ts';
import { RunHistory, type RunRecord } from '../../src/pipeline/history.ts';
import { createSchedulerPlugin } from '../../src/serve/plugins/scheduler.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { Alerter } from '../../src/operate/alerts.ts';
import { governanceConfig, writeGold } from './gold-fixture.ts';
import { testLake } from './helpers.ts';

test('scheduler plugin: a seconds cron pattern fires a run of the previous window, visible in history and /api/schedules', async () => {
  const lake = await testLake({ pipelines: [{ name: 'every-second', window: 'hour', schedule: '* * * * * *', steps: [{ id: 'ingest', kind: 'test-tick' }] }, { name: 'manual-only', steps: [{ id: 'x', kind: 'test-tick' }] }] });
  const seen: string[] = [];
  const tick = defineTask({ kind: 'test-tick', description: 'records the window it ran for', params: z.object({}).strict(), async run(t) { seen.push(t.window.id); } });
  const runs: (RunRecord | Error)[] = [];
  let fired!: () => void;
  const firstRun = new Promise<void>((r) => (fired = r));
  const plugin = createSchedulerPlugin({ kinds: new Map([[tick.kind, tick]]), alerter: new Alerter([]), onRun: (r) => (runs.push(r), fired()) });
  const app = Fastify();
  try {
    await plugin.register(app, { ...lake.ctx, metrics, options: {} });
    const sched = (await app.inject({ method: 'GET', url: '/api/schedules' })).json() as { schedules: { pipeline: string; next: string }[] };
    assert.deepEqual(sched.schedules.map((s) => s.pipeline), ['every-second']);
    assert.ok(Date.parse(sched.schedules[0]!.next) - Date.now() <= 1_500);
    const startedAt = new Date();
    await firstRun;
    const r = runs[0] as RunRecord;
    assert.equal(r.status, 'succeeded');
    assert.equal(r.trigger, 'schedule');
    const expected = new Date(startedAt.getTime() - 3_600_000).toISOString().slice(0, 13);
    const expectedLater = new Date(Date.now() - 3_600_000).toISOString().slice(0, 13);
    assert.ok([expected, expectedLater].includes(seen[0]!), `${seen[0]} is the previous hour`);
    assert.equal((await new RunHistory(lake.ctx.storage, lake.ctx.layout).latest('every-second', seen[0]!))?.runId, r.runId);
  } finally {
    await plugin.close?.();
    await app.close();
    await lake.cleanup();
  }
});

test('query API: bearer tokens per principal over HTTP, governed results, refusals, audit, and no token in logs', async () => {
  const lake = await testLake({ governance: governanceConfig });
  await writeGold(lake.ctx);
  const tokens = { alice: 'alice-tok-9f8e7d6c5b4a', bob: 'bob-tok-1a2b3c4d5e6f', admin: 'admin-tok-0011223344' };
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(import.meta.dirname, 'fixtures', 'serve-query-api.ts')], {
    cwd: lake.dir,
    env: {
      ...process.env,
      TEST_LAKE: join(lake.dir, 'lake'),
      EVENTLAKE_CFG__operate__governance: JSON.stringify(governanceConfig),
      TEST_TOKEN_ALICE: tokens.alice,
      TEST_TOKEN_BOB: tokens.bob,
      TEST_TOKEN_ADMIN: tokens.admin,
      EVENTLAKE_LOG_LEVEL: 'debug',
      EVENTLAKE_LOG_JSON: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    let out = '';
    while (!/PORT (\d+)/.test(out)) {
      const [d] = (await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => { throw new Error(`server exited: ${stderr}`); })])) as [Buffer];
      out += d.toString();
    }
    const base = `http://127.0.0.1:${/PORT (\d+)/.exec(out)![1]}`;
    const q = (sql: string, token?: string) =>
      fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ sql }) });

    assert.equal((await q('SELECT 1')).status, 401);
    assert.equal((await q('SELECT 1', 'not-a-real-token')).status, 401);

    const a = await q('SELECT repo_name FROM dim_repo ORDER BY 1', tokens.alice);
    assert.equal(a.status, 200);
    assert.deepEqual(((await a.json()) as { rows: unknown[] }).rows, [{ repo_name: 'alice/app' }, { repo_name: 'alice/lib' }]);
    const b = await q('SELECT repo_name FROM dim_repo ORDER BY 1', tokens.bob);
    assert.deepEqual(((await b.json()) as { rows: unknown[] }).rows, [{ repo_name: 'bob/tool' }]);
    const admin = await q('SELECT count(*) AS n FROM dim_repo', tokens.admin);
    assert.deepEqual(((await admin.json()) as { rows: unknown[] }).rows, [{ n: 4 }]);

    const refused = await q('DROP TABLE fact_events', tokens.alice);
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: string }).error, /only SELECT is allowed/);
    // A user pasting a token into SQL: refused or not, it must not be echoed into logs or the audit trail.
    const sneaky = await q(`SELECT '${tokens.bob}' AS t FROM fact_events LIMIT 1`, tokens.alice);
    assert.equal(sneaky.status, 200);

    const named = await fetch(`${base}/api/queries/events-by-repo`, { headers: { authorization: `Bearer ${tokens.bob}` } });
    assert.deepEqual(((await named.json()) as { rows: unknown[] }).rows, [{ repo_name: 'bob/tool', events: 11 }]);
    assert.equal((await fetch(`${base}/api/queries/nope`, { headers: { authorization: `Bearer ${tokens.bob}` } })).status, 404);

    child.kill('SIGTERM');
    await once(child, 'exit');
    const audit = new AuditLog(lake.ctx.storage, lake.ctx.layout);
    assert.equal((await audit.verify()).ok, true);
    const entries: string[] = [];
    for await (const { entry } of audit.entries()) entries.push(JSON.stringify(entry));
    const actors = entries.map((e) => `${JSON.parse(e).actor}:${JSON.parse(e).outcome}`);
    assert.deepEqual(actors, ['anonymous:refused', 'anonymous:refused', 'alice:ok', 'bob:ok', 'admin:ok', 'alice:refused', 'alice:ok', 'bob:ok', 'bob:error']);
    assert.match(stderr, /governed query/, 'the server does log queries');
    for (const t of Object.values(tokens)) {
      assert.ok(!stderr.includes(t), `token ${t.slice(0, 5)}… leaked into logs`);
      assert.ok(!entries.join('\n').includes(t), `token ${t.slice(0, 5)}… leaked into the audit trail`);
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await lake.cleanup();
  }
});

test('query API: run history and anomaly reports for the dashboard, behind the same bearer auth', async () => {
  const lake = await testLake({ governance: governanceConfig, pipelines: [{ name: 'housekeeping', steps: [{ id: 'archive', kind: 'lifecycle' }] }] });
  const { createQueryApiPlugin } = await import('../../src/serve/plugins/query-api.ts');
  const { runPipeline } = await import('../../src/pipeline/runner.ts');
  const { putJson } = await import('../../src/core/storage.ts');
  process.env.TEST_TOKEN_ALICE = 'alice-inproc-token-123';
  const plugin = createQueryApiPlugin();
  const app = Fastify();
  try {
    await writeGold(lake.ctx);
    await runPipeline(lake.ctx, 'housekeeping', '2026-11-01');
    await putJson(lake.ctx.storage, '_eventlake/state/anomalies/github.json', { source: 'github', anomalies: [{ dt: '2026-11-01', series: 'PushEvent' }] });
    await plugin.register(app, { ...lake.ctx, metrics, options: {} });
    assert.equal((await app.inject({ method: 'GET', url: '/api/runs' })).statusCode, 401);
    const auth = { authorization: 'Bearer alice-inproc-token-123' };
    const runs = (await app.inject({ method: 'GET', url: '/api/runs?pipeline=housekeeping&limit=5', headers: auth })).json() as { runs: { pipeline: string; status: string }[] };
    assert.deepEqual(runs.runs.map((r) => [r.pipeline, r.status]), [['housekeeping', 'succeeded']]);
    const an = await app.inject({ method: 'GET', url: '/api/anomalies/github', headers: auth });
    assert.equal(an.statusCode, 200);
    assert.equal((an.json() as { anomalies: unknown[] }).anomalies.length, 1);
    assert.equal((await app.inject({ method: 'GET', url: '/api/anomalies/amplitude', headers: auth })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/api/anomalies/..%2Fx', headers: auth })).statusCode, 400);
  } finally {
    delete process.env.TEST_TOKEN_ALICE;
    await plugin.close?.();
    await app.close();
    await lake.cleanup();
  }
});
