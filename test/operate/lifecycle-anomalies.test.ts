import { test } from 'node:test';
import { mkdir } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { archiveRaw, restoreRaw } from '../../src/operate/lifecycle.ts';
import { detectAnomalies, runAnomalyCheck } from '../../src/operate/anomalies.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { Alerter, SlackNotifier } from '../../src/operate/alerts.ts';
import { runPipeline } from '../../src/pipeline/runner.ts';
import { listAll } from '../../src/core/storage.ts';
import { receiver, testLake } from './helpers.ts';

test('lifecycle: dry-run lists, apply moves only old loaded raw; python-import and not-yet-loaded days stay; restore brings back', async () => {
  const lake = await testLake();
  const s = lake.ctx.storage;
  try {
    const now = new Date('2026-11-30T12:00:00Z');
    await s.put('raw/github/dt=2026-01-10/hour=00/a.json.gz', 'old-loaded');
    await s.put('raw/github/dt=2026-01-11/hour=05/b.json.gz', 'old-not-loaded');
    await s.put('raw/github/dt=2026-11-20/hour=00/c.json.gz', 'recent');
    await s.put('python-import/github/dt=2026-01-10/a.json.gz', 'stage copy');
    await s.put('cleaned/github/events/dt=2026-01-10/part-0.parquet', 'x');
    await s.put('cleaned/github/events/dt=2026-11-20/part-0.parquet', 'x');

    const dry = await archiveRaw(lake.ctx, { dryRun: true, now });
    assert.equal(dry.mode, 'dry-run');
    assert.equal(dry.cutoffDt, '2026-09-01');
    assert.deepEqual(dry.moved.map((m) => [m.key, m.to]), [['raw/github/dt=2026-01-10/hour=00/a.json.gz', 'archive/raw/github/dt=2026-01-10/hour=00/a.json.gz']]);
    assert.deepEqual(dry.kept.map((k) => k.key), ['raw/github/dt=2026-01-11/hour=05/b.json.gz']);
    assert.ok(await s.head('raw/github/dt=2026-01-10/hour=00/a.json.gz'), 'dry-run moves nothing');

    const audit = new AuditLog(s, lake.ctx.layout);
    const applied = await archiveRaw(lake.ctx, { now, audit });
    assert.equal(applied.moved.length, 1);
    const keys = (await listAll(s, '')).map((o) => o.key).filter((k) => !k.startsWith('_eventlake/'));
    assert.deepEqual(keys, [
      'archive/raw/github/dt=2026-01-10/hour=00/a.json.gz',
      'cleaned/github/events/dt=2026-01-10/part-0.parquet',
      'cleaned/github/events/dt=2026-11-20/part-0.parquet',
      'python-import/github/dt=2026-01-10/a.json.gz',
      'raw/github/dt=2026-01-11/hour=05/b.json.gz',
      'raw/github/dt=2026-11-20/hour=00/c.json.gz',
    ]);
    assert.equal((await s.get('archive/raw/github/dt=2026-01-10/hour=00/a.json.gz')).toString(), 'old-loaded');
    assert.equal((await audit.verify()).entries, 1);

    // A smaller age threshold still respects the not-loaded rule; rerun is a no-op for what moved already.
    const again = await archiveRaw(lake.ctx, { now, days: 5 });
    assert.deepEqual(again.moved.map((m) => m.key), ['raw/github/dt=2026-11-20/hour=00/c.json.gz']);

    const back = await restoreRaw(lake.ctx, { source: 'github', toDt: '2026-06-01' });
    assert.deepEqual(back.moved.map((m) => m.to), ['raw/github/dt=2026-01-10/hour=00/a.json.gz']);
    assert.equal((await s.get('raw/github/dt=2026-01-10/hour=00/a.json.gz')).toString(), 'old-loaded');
    assert.equal(await s.head('archive/raw/github/dt=2026-01-10/hour=00/a.json.gz'), undefined);
  } finally {
    await lake.cleanup();
  }
});

test('lifecycle: the "lifecycle" task kind runs inside a pipeline', async () => {
  const lake = await testLake({ pipelines: [{ name: 'housekeeping', steps: [{ id: 'archive', kind: 'lifecycle', params: { days: 30 } }] }] });
  try {
    await lake.ctx.storage.put('raw/github/dt=2026-01-10/hour=00/a.json.gz', 'x');
    await lake.ctx.storage.put('cleaned/github/events/dt=2026-01-10/p.parquet', 'x');
    const r = await runPipeline(lake.ctx, 'housekeeping', '2026-03-01');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.error));
    assert.equal(r.steps[0]!.rows, 1);
    assert.ok(await lake.ctx.storage.head('archive/raw/github/dt=2026-01-10/hour=00/a.json.gz'));
  } finally {
    await lake.cleanup();
  }
});

test('anomalies: robust z-score flags a drop and a spike, not normal noise', () => {
  const rows = [];
  const base = [100, 104, 97, 101, 99, 103, 98, 102, 100, 96, 105, 100, 99, 101];
  for (let i = 0; i < base.length; i++) rows.push({ dt: `2026-10-${String(i + 1).padStart(2, '0')}`, series: 'PushEvent', count: base[i]! });
  rows.push({ dt: '2026-10-15', series: 'PushEvent', count: 12 }); // drop
  rows.push({ dt: '2026-10-16', series: 'PushEvent', count: 103 }); // normal
  rows.push({ dt: '2026-10-17', series: 'PushEvent', count: 400 }); // spike
  const found = detectAnomalies('github', rows, { baselineDays: 14, threshold: 3.5 });
  assert.deepEqual(found.map((a) => [a.dt, a.direction]), [['2026-10-15', 'drop'], ['2026-10-17', 'spike']]);
  assert.match(found[0]!.explanation, /12 events vs median 100 of the previous 14 days \(MAD 1\.5\); robust z -39\.6 beyond ±3\.5 → drop/);
  // A day missing entirely after a steady baseline is a drop to 0.
  const gap = detectAnomalies('github', [...rows.slice(0, 14), { dt: '2026-10-16', series: 'PushEvent', count: 100 }], { baselineDays: 14, threshold: 3.5 });
  assert.deepEqual(gap.map((a) => [a.dt, a.count]), [['2026-10-15', 0]]);
});

test('anomalies: read from gold fact_events Parquet, stored for the dashboard and alerted', async () => {
  const lake = await testLake();
  const slack = await receiver();
  const engine = await DuckDbEngine.open();
  try {
    const dir = lake.ctx.storage.localPath('aggregated/github/fact_events')!;
    await mkdir(dir, { recursive: true });
    // 20 steady days, then day 21 collapses for PushEvent only.
    await engine.run(`COPY (
      SELECT DATE '2026-10-01' + CAST(d AS INTEGER) AS dt, (d % 7) AS repo_id, 1 AS user_id, et AS event_type,
             CAST(CASE WHEN d = 20 AND et = 'PushEvent' THEN 3 ELSE 50 + (d % 3) END AS BIGINT) AS event_count
      FROM range(21) t(d), (VALUES ('PushEvent'), ('WatchEvent')) e(et)
    ) TO ${sqlString(dir)} (FORMAT parquet, PARTITION_BY (dt))`);
    const alerter = new Alerter([new SlackNotifier(`${slack.url}/hook`)]);
    const r = await runAnomalyCheck(lake.ctx, 'github', { alerter, alertSince: '2026-10-21' });
    assert.equal(r.days, 21);
    assert.deepEqual(r.anomalies.map((a) => [a.dt, a.series, a.direction]), [['2026-10-21', 'PushEvent', 'drop'], ['2026-10-21', '(all)', 'drop']].sort((a, b) => a[1]!.localeCompare(b[1]!)));
    const stored = JSON.parse((await lake.ctx.storage.get('_eventlake/state/anomalies/github.json')).toString());
    assert.equal(stored.anomalies.length, 2);
    await slack.waitFor(2);
    assert.ok(slack.got.some((g) => /drop in github PushEvent on 2026-10-21/.test(g.body)));
  } finally {
    await engine.close();
    await Promise.all([slack.close(), lake.cleanup()]);
  }
});
