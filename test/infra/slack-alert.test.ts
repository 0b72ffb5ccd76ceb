// The alerts → Slack Lambda (infra/lambda/slack-alert.ts) posting to a real HTTP server on 127.0.0.1.
// Only the Secrets Manager read is replaced (no local Secrets Manager exists); posting uses the real default.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handler, formatAlert, defaultDeps, type SlackDeps } from '../../infra/lambda/slack-alert.ts';

let server: Server;
let url: string;
const received: { text: string }[] = [];
let answer = 200;

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as { text: string });
      res.writeHead(answer);
      res.end(answer === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T/B/x`;
});
after(() => new Promise((r) => server.close(r)));

const deps = (webhook: string, logs: string[] = []): SlackDeps => ({ webhookUrl: async () => webhook, post: defaultDeps.post, log: (m) => logs.push(m) });
const failure = JSON.stringify({ pipeline: 'eventlake-pipeline', execution: 'arn:exec', dt: '2026-01-02', error: 'States.TaskFailed', cause: 'HIVE_BAD_DATA', next: 'rerun' });

test('a pipeline failure and an alarm are posted as readable Slack messages', async () => {
  received.length = 0;
  const alarm = JSON.stringify({ AlarmName: 'PipelineFailed', NewStateValue: 'ALARM', NewStateReason: 'Threshold Crossed' });
  const r = await handler({ Records: [{ Sns: { Subject: 'eventlake pipeline failed', Message: failure } }, { Sns: { Message: alarm } }] }, deps(url));
  assert.deepEqual(r, { sent: 2, skipped: 0 });
  assert.match(received[0]!.text, /eventlake-pipeline\* failed for dt 2026-01-02: States\.TaskFailed\n> HIVE_BAD_DATA/);
  assert.equal(received[1]!.text, ':rotating_light: *PipelineFailed* is ALARM: Threshold Crossed');
});

test('while the secret still holds the generated placeholder, alerts are logged and skipped (never posted)', async () => {
  received.length = 0;
  const logs: string[] = [];
  const r = await handler({ Records: [{ Sns: { Message: failure } }] }, deps('a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6', logs));
  assert.deepEqual(r, { sent: 0, skipped: 1 });
  assert.equal(received.length, 0);
  assert.match(logs[0]!, /does not hold a webhook URL yet/);
  assert.ok(!logs[0]!.includes('a1B2c3D4'), 'the secret value is never logged');
});

test('a Slack error throws so SNS retries the delivery', async () => {
  answer = 500;
  try {
    await assert.rejects(handler({ Records: [{ Sns: { Message: 'plain text alert' } }] }, deps(url)), /Slack answered HTTP 500/);
  } finally {
    answer = 200;
  }
  assert.equal(formatAlert('Subj', 'plain'), '*Subj*\nplain');
});
