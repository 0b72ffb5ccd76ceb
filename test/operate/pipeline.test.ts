import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { EventlakeError } from '../../src/core/errors.ts';
import { runPipeline, planPipeline } from '../../src/pipeline/runner.ts';
import { backfill } from '../../src/pipeline/backfill.ts';
import { RunHistory } from '../../src/pipeline/history.ts';
import { acquireLock, lockKey } from '../../src/pipeline/lock.ts';
import { taskKinds } from '../../src/pipeline/registry.ts';
import { defineTask, type TaskKind } from '../../src/pipeline/task.ts';
import { windowsBetween, previousWindow } from '../../src/pipeline/window.ts';
import { Alerter, SlackNotifier, SnsNotifier } from '../../src/operate/alerts.ts';
import { SnsPublisher } from '../../src/cloud/aws/sns.ts';
import { registerSecret } from '../../src/core/secrets.ts';
import { receiver, snsResponder, testLake } from './helpers.ts';

const noSleep = async () => {};

/** Test-only task kind: appends "<step>@<window>" to a shared journal; fails per a script. */
function journalKinds(journal: string[], script: Record<string, (attempt: number) => void> = {}): Map<string, TaskKind<any>> {
  const rec = defineTask({
    kind: 'test-record',
    description: 'records its call in a journal',
    params: z.object({ delayMs: z.number().default(0) }).strict(),
    async run(t) {
      if (t.params.delayMs) await new Promise((r) => setTimeout(r, t.params.delayMs));
      script[t.step]?.(t.attempt);
      journal.push(`${t.step}@${t.window.id}#${t.attempt}`);
      return { rows: 10, detail: { window: t.window.dt } };
    },
  });
  const hang: TaskKind = {
    kind: 'test-hang',
    description: 'never finishes unless aborted',
    run: (t) => new Promise((_, reject) => t.signal.addEventListener('abort', () => reject(t.signal.reason))),
  };
  return new Map<string, TaskKind<any>>([
    [rec.kind, rec],
    [hang.kind, hang],
  ]);
}

const dagPipeline = {
  name: 'gh',
  steps: [
    { id: 'aggregate', kind: 'test-record', dependsOn: ['transform'] },
    { id: 'transform', kind: 'test-record', dependsOn: ['ingest'] },
    { id: 'ingest', kind: 'test-record' },
    { id: 'report', kind: 'test-record', dependsOn: ['ingest'] },
  ],
};

test('pipeline: steps run in dependency order and the run is recorded', async () => {
  const lake = await testLake({ pipelines: [dagPipeline] });
  try {
    const journal: string[] = [];
    const r = await runPipeline(lake.ctx, 'gh', '2026-11-01', { kinds: journalKinds(journal), sleep: noSleep });
    assert.equal(r.status, 'succeeded');
    const pos = (s: string) => journal.findIndex((j) => j.startsWith(s + '@'));
    assert.ok(pos('ingest') < pos('transform') && pos('transform') < pos('aggregate') && pos('ingest') < pos('report'), journal.join(','));
    const stored = await new RunHistory(lake.ctx.storage, lake.ctx.layout).latest('gh', '2026-11-01');
    assert.equal(stored?.status, 'succeeded');
    assert.deepEqual(stored?.steps.map((s) => [s.id, s.status, s.rows]).sort(), [
      ['aggregate', 'succeeded', 10],
      ['ingest', 'succeeded', 10],
      ['report', 'succeeded', 10],
      ['transform', 'succeeded', 10],
    ]);
  } finally {
    await lake.cleanup();
  }
});

test('pipeline: a cycle or an unknown kind is a config error before anything runs', async () => {
  const kinds = journalKinds([]);
  const base = { window: 'day' as const, backfillConcurrency: 1 };
  const step = (id: string, dependsOn: string[], kind = 'test-record') => ({ id, kind, dependsOn, params: {}, retry: { attempts: 1, baseMs: 0, maxMs: 0 }, timeoutMs: 1000 });
  assert.throws(() => planPipeline({ ...base, name: 'c', steps: [step('a', ['b']), step('b', ['a'])] }, kinds), /dependency cycle: a -> b -> a/);
  assert.throws(() => planPipeline({ ...base, name: 'u', steps: [step('a', [], 'nope')] }, kinds), /unknown task kind "nope"/);
  assert.throws(() => planPipeline({ ...base, name: 'p', steps: [{ ...step('a', []), params: { delayMs: 'x' } }] }, kinds), /invalid params: delayMs/);
});

test('pipeline: retryable failures are retried with backoff, then succeed', async () => {
  const lake = await testLake({ pipelines: [{ name: 'r', steps: [{ id: 'ingest', kind: 'test-record', retry: { attempts: 4, baseMs: 100, maxMs: 1000 } }] }] });
  try {
    const journal: string[] = [];
    const waits: number[] = [];
    const flaky = (attempt: number) => {
      if (attempt < 3) throw new EventlakeError(`HTTP 503 on attempt ${attempt}`, { step: 'extract.test', retryable: true });
    };
    const r = await runPipeline(lake.ctx, 'r', '2026-11-01', { kinds: journalKinds(journal, { ingest: flaky }), sleep: async (ms) => void waits.push(ms) });
    assert.equal(r.status, 'succeeded');
    assert.deepEqual(journal, ['ingest@2026-11-01#3']);
    assert.deepEqual(r.steps[0]!.attempts.map((a) => a.ok), [false, false, true]);
    assert.equal(waits.length, 2);
    assert.ok(waits[0]! >= 50 && waits[0]! <= 100 && waits[1]! >= 100 && waits[1]! <= 200, `backoff ${waits}`);
  } finally {
    await lake.cleanup();
  }
});

test('pipeline: a failure is recorded with step and next, dependents skipped, alert sent to Slack and SNS', async () => {
  const slack = await receiver();
  const sns = await receiver(snsResponder);
  const lake = await testLake({ pipelines: [dagPipeline] });
  const webhookSecret = `${slack.url}/services/T000/B000/s3cr3tw3bh00k`;
  registerSecret(webhookSecret);
  try {
    const alerter = new Alerter(
      [
        new SlackNotifier(webhookSecret),
        new SnsNotifier(new SnsPublisher('arn:aws:sns:us-east-1:123456789012:eventlake-alerts', { region: 'us-east-1', endpoint: sns.url, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret-key' } })),
      ],
      { storage: lake.ctx.storage, layout: lake.ctx.layout, dedupMinutes: 60 },
    );
    const journal: string[] = [];
    const broken = () => {
      throw new EventlakeError(`cannot parse record 7: token ${webhookSecret} leaked`, { step: 'transform.github', code: 'BAD_INPUT' });
    };
    const r = await runPipeline(lake.ctx, 'gh', '2026-11-02', { kinds: journalKinds(journal, { transform: broken }), alerter, sleep: noSleep });
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.step, 'transform');
    assert.match(r.error!.next, /^eventlake run gh --window 2026-11-02/);
    assert.ok(!r.error!.message.includes('s3cr3tw3bh00k'), 'secret redacted in run history');
    const st = Object.fromEntries(r.steps.map((s) => [s.id, s.status]));
    assert.deepEqual(st, { ingest: 'succeeded', transform: 'failed', aggregate: 'skipped', report: 'succeeded' });

    await slack.waitFor(1);
    await sns.waitFor(1);
    const slackBody = JSON.parse(slack.got[0]!.body) as { text: string; blocks: { text: { text: string } }[] };
    assert.match(slackBody.text, /pipeline gh window 2026-11-02 failed at step transform/);
    assert.match(slackBody.blocks[0]!.text.text, /next: eventlake run gh --window 2026-11-02/);
    assert.ok(!slack.got[0]!.body.includes('s3cr3tw3bh00k'));
    const snsParams = new URLSearchParams(sns.got[0]!.body);
    assert.equal(snsParams.get('Action'), 'Publish');
    assert.equal(snsParams.get('TopicArn'), 'arn:aws:sns:us-east-1:123456789012:eventlake-alerts');
    assert.match(snsParams.get('Message') ?? '', /failed at step transform/);
    assert.ok(!(snsParams.get('Message') ?? '').includes('s3cr3tw3bh00k'));

    // Same failure again within the dedup window: no second alert.
    const again = await runPipeline(lake.ctx, 'gh', '2026-11-02', { kinds: journalKinds(journal, { transform: broken }), alerter, sleep: noSleep });
    assert.equal(again.status, 'failed');
    assert.equal(slack.got.length, 1);

    // Fixed: the rerun resumes (ingest and report reused) and a recovery alert goes out.
    journal.length = 0;
    const fixed = await runPipeline(lake.ctx, 'gh', '2026-11-02', { kinds: journalKinds(journal), alerter, sleep: noSleep });
    assert.equal(fixed.status, 'succeeded');
    assert.deepEqual(journal.map((j) => j.split('@')[0]), ['transform', 'aggregate']);
    assert.equal(fixed.resumedFrom, again.runId);
    await slack.waitFor(2);
    assert.match(JSON.parse(slack.got[1]!.body).text, /recovered/);
    alerter.close();
  } finally {
    await Promise.all([slack.close(), sns.close(), lake.cleanup()]);
  }
});

test('pipeline: a step that exceeds its timeout is aborted and fails as TIMEOUT', async () => {
  const lake = await testLake({ pipelines: [{ name: 't', steps: [{ id: 'slow', kind: 'test-hang', timeoutMs: 50, retry: { attempts: 2, baseMs: 0, maxMs: 0 } }] }] });
  try {
    const r = await runPipeline(lake.ctx, 't', '2026-11-01', { kinds: journalKinds([]), sleep: noSleep });
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'TIMEOUT');
    assert.equal(r.steps[0]!.attempts.length, 2, 'timeouts are retryable');
  } finally {
    await lake.cleanup();
  }
});

test('pipeline: the lock prevents two concurrent runs of the same window; a dead holder is taken over', async () => {
  const lake = await testLake({ pipelines: [{ name: 'l', steps: [{ id: 'ingest', kind: 'test-record', params: { delayMs: 400 } }] }] });
  try {
    const journal: string[] = [];
    const kinds = journalKinds(journal);
    const first = runPipeline(lake.ctx, 'l', '2026-11-01', { kinds });
    // Wait until the first run holds its lock (no fixed sleep: the machine may be slow).
    while (!journal.length && !(await lake.ctx.storage.head(lockKey(lake.ctx.layout, 'l', '2026-11-01')))) await new Promise((r) => setTimeout(r, 5));
    await assert.rejects(runPipeline(lake.ctx, 'l', '2026-11-01', { kinds }), (e: EventlakeError) => e.code === 'LOCKED' && /already running/.test(e.message));
    // Another window is not blocked.
    assert.equal((await runPipeline(lake.ctx, 'l', '2026-11-02', { kinds })).status, 'succeeded');
    assert.equal((await first).status, 'succeeded');
    assert.equal(await lake.ctx.storage.head(lockKey(lake.ctx.layout, 'l', '2026-11-01')), undefined, 'lock released');

    // A lock whose heartbeat is older than the TTL (a killed run) is stale and taken over.
    const key = lockKey(lake.ctx.layout, 'l', '2026-11-03');
    const old = new Date(Date.now() - 3_600_000).toISOString();
    await lake.ctx.storage.put(key, JSON.stringify({ token: 'dead', pipeline: 'l', window: '2026-11-03', runId: 'x', host: 'elsewhere', pid: 1, acquiredAt: old, heartbeatAt: old }));
    const held = await acquireLock(lake.ctx.storage, lake.ctx.layout, { pipeline: 'l', window: '2026-11-03', runId: 'y', ttlMs: 60_000 });
    assert.equal(held.tookOver?.token, 'dead');
    await held.release();

    // Two processes finding the same stale lock: exactly one gets it.
    await lake.ctx.storage.put(key, JSON.stringify({ token: 'dead2', pipeline: 'l', window: '2026-11-03', runId: 'x', host: 'elsewhere', pid: 1, acquiredAt: old, heartbeatAt: old }));
    const both = await Promise.allSettled([1, 2, 3].map((i) => acquireLock(lake.ctx.storage, lake.ctx.layout, { pipeline: 'l', window: '2026-11-03', runId: `r${i}`, ttlMs: 60_000 })));
    const won = both.filter((b) => b.status === 'fulfilled');
    assert.equal(won.length, 1, both.map((b) => b.status).join(','));
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
  } finally {
    await lake.cleanup();
  }
});

test('pipeline: a run killed mid-way is marked abandoned and the rerun skips its completed steps', async () => {
  const lake = await testLake({ pipelines: [dagPipeline] });
  try {
    const history = new RunHistory(lake.ctx.storage, lake.ctx.layout);
    // What a killed process leaves behind: a "running" record with ingest done, and a lock from a dead pid.
    const killedRun = {
      runId: '20261101T000000000Z-dead00', pipeline: 'gh', window: '2026-11-05', status: 'running' as const, trigger: 'manual' as const,
      startedAt: new Date().toISOString(), host: 'gone-host', pid: 1,
      steps: [
        { id: 'ingest', kind: 'test-record', status: 'succeeded' as const, attempts: [], rows: 5 },
        { id: 'transform', kind: 'test-record', status: 'running' as const, attempts: [] },
      ],
    };
    await history.save(killedRun);
    const stale = new Date(Date.now() - 3_600_000).toISOString();
    await lake.ctx.storage.put(lockKey(lake.ctx.layout, 'gh', '2026-11-05'), JSON.stringify({ token: 't', pipeline: 'gh', window: '2026-11-05', runId: killedRun.runId, host: 'gone-host', pid: 1, acquiredAt: stale, heartbeatAt: stale }));
    const journal: string[] = [];
    const r = await runPipeline(lake.ctx, 'gh', '2026-11-05', { kinds: journalKinds(journal) });
    assert.equal(r.status, 'succeeded');
    assert.equal(r.resumedFrom, killedRun.runId);
    assert.deepEqual(journal.map((j) => j.split('@')[0]).sort(), ['aggregate', 'report', 'transform']);
    assert.equal(r.steps.find((s) => s.id === 'ingest')?.status, 'reused');
    const old = (await history.forWindow('gh', '2026-11-05')).find((x) => x.runId === killedRun.runId);
    assert.equal(old?.status, 'abandoned');
    assert.equal(old?.error?.step, 'transform');
  } finally {
    await lake.cleanup();
  }
});

test('backfill: one run per window with bounded concurrency; a second backfill skips done windows and resumes failed ones', async () => {
  const lake = await testLake({ pipelines: [{ name: 'b', backfillConcurrency: 2, steps: [{ id: 'ingest', kind: 'test-record', params: { delayMs: 20 } }, { id: 'transform', kind: 'test-record', dependsOn: ['ingest'] }] }] });
  try {
    assert.deepEqual(windowsBetween('2026-10-30', '2026-11-02', 'day').map((w) => w.id), ['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02']);
    assert.equal(previousWindow(new Date('2026-11-02T05:30:00Z'), 'hour').id, '2026-11-02T04');
    let inFlight = 0;
    let maxInFlight = 0;
    const journal: string[] = [];
    const base = journalKinds(journal);
    const rec = base.get('test-record')!;
    const counting: TaskKind<any> = {
      ...rec,
      async run(t) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          // Barrier: give a second window the chance to overlap (bounded wait, so a slow machine cannot hang it).
          for (const t0 = Date.now(); t.step === 'ingest' && inFlight < 2 && Date.now() - t0 < 1000; ) await new Promise((r) => setTimeout(r, 5));
          maxInFlight = Math.max(maxInFlight, inFlight);
          if (t.step === 'transform' && t.window.id === '2026-11-01' && failNov1) throw new EventlakeError('bad partition', { step: 'transform' });
          return await rec.run(t);
        } finally {
          inFlight--;
        }
      },
    };
    let failNov1 = true;
    const kinds = new Map([[counting.kind, counting]]);
    const r1 = await backfill(lake.ctx, 'b', { from: '2026-10-30', to: '2026-11-02' }, { kinds, sleep: noSleep });
    assert.deepEqual(r1.succeeded, ['2026-10-30', '2026-10-31', '2026-11-02']);
    assert.deepEqual(r1.failed.map((f) => [f.window, f.step]), [['2026-11-01', 'transform']]);
    assert.match(r1.next ?? '', /eventlake backfill b --from 2026-10-30 --to 2026-11-02/);
    assert.equal(maxInFlight, 2, 'windows overlap, never more than the concurrency');

    failNov1 = false;
    journal.length = 0;
    const r2 = await backfill(lake.ctx, 'b', { from: '2026-10-30', to: '2026-11-02' }, { kinds, sleep: noSleep });
    assert.deepEqual(r2.skipped, ['2026-10-30', '2026-10-31', '2026-11-02']);
    assert.deepEqual(r2.succeeded, ['2026-11-01']);
    assert.deepEqual(journal, ['transform@2026-11-01#1'], 'only the failed step of the failed window ran again');
  } finally {
    await lake.cleanup();
  }
});

test('task registry: every file in src/pipeline/tasks exports a task kind with a description', async () => {
  const kinds = await taskKinds();
  assert.ok(kinds.size >= 2, `kinds: ${[...kinds.keys()]}`);
  for (const [k, t] of kinds) {
    assert.equal(t.kind, k);
    assert.ok(t.description.length > 10);
  }
});

test('pipeline: a process killed (SIGKILL) mid-run leaves a lock and a running record; the rerun takes over and resumes', async () => {
  const operate = { pipelines: [{ name: 'gh', steps: [{ id: 'ingest', kind: 'test-step' }, { id: 'transform', kind: 'test-step', dependsOn: ['ingest'] }] }] };
  const lake = await testLake(operate);
  const { spawn } = await import('node:child_process');
  const { join } = await import('node:path');
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(import.meta.dirname, 'fixtures', 'run-then-hang.ts')], {
    env: { ...process.env, TEST_DIR: lake.dir, TEST_LAKE: join(lake.dir, 'lake'), TEST_OPERATE: JSON.stringify(operate), EVENTLAKE_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => ((out += d), out.includes('HANGING') && resolve()));
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const history = new RunHistory(lake.ctx.storage, lake.ctx.layout);
    const killed = await history.latest('gh', '2026-11-07');
    assert.equal(killed?.status, 'running');
    assert.ok(await lake.ctx.storage.head(lockKey(lake.ctx.layout, 'gh', '2026-11-07')), 'the dead run left its lock');

    const ran: string[] = [];
    const ok: TaskKind = { kind: 'test-step', description: 'succeeds', run: async (t) => void ran.push(t.step) };
    const r = await runPipeline(lake.ctx, 'gh', '2026-11-07', { kinds: new Map([[ok.kind, ok]]) });
    assert.equal(r.status, 'succeeded');
    assert.deepEqual(ran, ['transform']);
    assert.equal(r.resumedFrom, killed!.runId);
    assert.deepEqual(r.steps.map((s) => [s.id, s.status, s.rows]), [['ingest', 'reused', 42], ['transform', 'succeeded', undefined]]);
    assert.equal((await history.forWindow('gh', '2026-11-07')).find((x) => x.runId === killed!.runId)?.status, 'abandoned');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await lake.cleanup();
  }
});

test('pipeline: a run cancelled by shutdown stops its task, is not retried, sends no alert, and resumes later', async () => {
  const lake = await testLake({ pipelines: [{ name: 'c', steps: [{ id: 'ingest', kind: 'test-record' }, { id: 'slow', kind: 'test-hang', dependsOn: ['ingest'], retry: { attempts: 3, baseMs: 0, maxMs: 0 } }] }] });
  const slack = await receiver();
  try {
    const alerter = new Alerter([new SlackNotifier(`${slack.url}/hook`)]);
    const ac = new AbortController();
    const journal: string[] = [];
    const running = runPipeline(lake.ctx, 'c', '2026-11-09', { kinds: journalKinds(journal), alerter, signal: ac.signal, sleep: noSleep });
    while (!journal.length) await new Promise((r) => setTimeout(r, 10));
    ac.abort(new EventlakeError('server shutting down', { step: 'scheduler', code: 'CANCELLED' }));
    const r = await running;
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'CANCELLED');
    assert.equal(r.steps[1]!.attempts.length, 1, 'not retried');
    assert.equal(slack.got.length, 0);
    const quick: TaskKind = { kind: 'test-hang', description: 'finishes at once this time', run: async () => ({ rows: 1 }) };
    const kinds = new Map([...journalKinds(journal), [quick.kind, quick]]);
    const again = await runPipeline(lake.ctx, 'c', '2026-11-09', { kinds, sleep: noSleep });
    assert.equal(again.status, 'succeeded');
    assert.deepEqual(again.steps.map((s) => s.status), ['reused', 'succeeded']);
  } finally {
    await Promise.all([slack.close(), lake.cleanup()]);
  }
});
