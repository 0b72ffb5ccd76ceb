import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFreshness, windowEnd } from '../../src/operate/freshness.ts';
import { Alerter, SlackNotifier, createAlerter } from '../../src/operate/alerts.ts';
import { resolveSecret } from '../../src/operate/secret-ref.ts';
import { redact } from '../../src/core/secrets.ts';
import { metrics } from '../../src/core/metrics.ts';
import { runPipeline } from '../../src/pipeline/runner.ts';
import { receiver, testLake } from './helpers.ts';

test('freshness: lag from the newest checkpoint, gauge exported, stale source alerted', async () => {
  const lake = await testLake();
  const slack = await receiver();
  try {
    assert.equal(windowEnd('2026-11-01T00..2026-11-01T05')?.toISOString(), '2026-11-01T06:00:00.000Z');
    assert.equal(windowEnd('2026-11-01')?.toISOString(), '2026-11-02T00:00:00.000Z');
    await lake.ctx.meta.putCheckpoint({ source: 'github', window: '2026-11-01T00..2026-11-01T05', status: 'done' });
    await lake.ctx.meta.putCheckpoint({ source: 'github', window: '2026-11-01T09', status: 'failed' });
    const alerter = new Alerter([new SlackNotifier(`${slack.url}/hook`)]);
    const fresh = await checkFreshness(lake.ctx, 'github', { maxLagHours: 6, now: new Date('2026-11-01T10:00:00Z'), alerter });
    assert.deepEqual(fresh, { source: 'github', newestWindow: '2026-11-01T00..2026-11-01T05', lagSeconds: 4 * 3600, stale: false });
    assert.match(await metrics.metrics(), /eventlake_source_freshness_lag_seconds\{source="github"\} 14400/);
    const stale = await checkFreshness(lake.ctx, 'github', { maxLagHours: 2, now: new Date('2026-11-01T10:00:00Z'), alerter });
    assert.equal(stale.stale, true);
    await slack.waitFor(1);
    assert.equal(slack.got.length, 1);
    assert.match(slack.got[0]!.body, /github data is stale/);
  } finally {
    await Promise.all([slack.close(), lake.cleanup()]);
  }
});

test('secrets: the Slack webhook URL from AWS Secrets Manager (local endpoint) is used and redacted', async () => {
  const hook = await receiver();
  const url = `${hook.url}/services/T1/B2/SM-secret-part-123456`;
  const sm = await receiver((r) => {
    const req = JSON.parse(r.body) as { SecretId: string };
    return req.SecretId === 'eventlake/alerts'
      ? { status: 200, type: 'application/x-amz-json-1.1', body: JSON.stringify({ Name: 'eventlake/alerts', SecretString: JSON.stringify({ slackWebhookUrl: url }) }) }
      : { status: 400, type: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }) };
  });
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' });
  try {
    const env = { EVENTLAKE_SECRETS_ENDPOINT: sm.url };
    assert.equal(await resolveSecret({ env: 'NOT_SET_ANYWHERE', secretId: 'eventlake/alerts#slackWebhookUrl' }, env), url);
    assert.equal(sm.got[0]!.headers['x-amz-target'], 'secretsmanager.GetSecretValue');
    assert.equal(redact(`posting to ${url} failed`), 'posting to *** failed');
    const alerter = await createAlerter({ slack: { webhookUrlEnv: 'NOT_SET_ANYWHERE', secretId: 'eventlake/alerts#slackWebhookUrl' }, dedupMinutes: 0 }, { env });
    const res = await alerter.send({ kind: 'quality', subject: 'quality check failed', text: `see ${url}` });
    assert.deepEqual(res.sent, ['slack']);
    assert.ok(!hook.got[0]!.body.includes('SM-secret-part-123456'), 'the secret is not echoed in the alert text');
    await assert.rejects(resolveSecret({ secretId: 'missing' }, env), /cannot read secret missing from AWS Secrets Manager/);
  } finally {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
    await Promise.all([hook.close(), sm.close()]);
  }
});

test('metrics: a run updates step duration, failures, rows and runs counters in the shared registry', async () => {
  const lake = await testLake({ pipelines: [{ name: 'metered', steps: [{ id: 'archive', kind: 'lifecycle' }] }] });
  try {
    await lake.ctx.storage.put('raw/github/dt=2020-01-01/hour=00/a.json.gz', 'x');
    await lake.ctx.storage.put('cleaned/github/events/dt=2020-01-01/p.parquet', 'x');
    const r = await runPipeline(lake.ctx, 'metered', '2026-11-01');
    assert.equal(r.status, 'succeeded');
    const text = await metrics.metrics();
    assert.match(text, /eventlake_pipeline_runs_total\{pipeline="metered",status="succeeded"\} 1/);
    assert.match(text, /eventlake_pipeline_step_duration_seconds_count\{pipeline="metered",step="archive",kind="lifecycle",outcome="ok"\} 1/);
    assert.match(text, /eventlake_pipeline_rows_total\{pipeline="metered",step="archive"\} 1/);
    assert.match(text, /eventlake_pipeline_last_success_window_timestamp_seconds\{pipeline="metered"\} 1793577600/);
  } finally {
    await lake.cleanup();
  }
});

test('alerts: a failed data-quality gate (code QUALITY) alerts as "quality", not as a job failure', async () => {
  const lake = await testLake({ pipelines: [{ name: 'q', steps: [{ id: 'gate', kind: 'test-quality' }] }] });
  const slack = await receiver();
  try {
    const { EventlakeError } = await import('../../src/core/errors.ts');
    const gate = { kind: 'test-quality', description: 'fails its quality check', run: async () => { throw new EventlakeError('null repo_id in 3 rows of fact_events', { step: 'quality.github', code: 'QUALITY' }); } };
    const r = await runPipeline(lake.ctx, 'q', '2026-11-01', { kinds: new Map([[gate.kind, gate]]), alerter: new Alerter([new SlackNotifier(`${slack.url}/hook`)]) });
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'QUALITY');
    await slack.waitFor(1);
    const body = JSON.parse(slack.got[0]!.body) as { text: string; blocks: { text: { text: string } }[] };
    assert.match(body.text, /^:no_entry: pipeline q window 2026-11-01 failed at step gate/);
    assert.match(body.blocks[0]!.text.text, /null repo_id in 3 rows/);
  } finally {
    await Promise.all([slack.close(), lake.cleanup()]);
  }
});
