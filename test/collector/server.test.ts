import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Registry } from 'prom-client';
import { buildContext } from '../../src/cli/context.ts';
import { discoverPlugins, startServe } from '../../src/serve/server.ts';
import type { ServePlugin } from '../../src/serve/plugin.ts';
import { EventlakeError } from '../../src/core/errors.ts';
import { batch, metricValue, post, startCollector, tempDir } from './helpers.ts';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

test('serve: plugins register in order, each in its own context, close in reverse; /healthz and /metrics are built in', async () => {
  const dir = tempDir();
  const ctx = await buildContext({ lake: join(dir, 'lake') });
  const events: string[] = [];
  const registry = new Registry();
  const mk = (name: string): ServePlugin => ({
    name,
    async register(app, sctx) {
      events.push(`register ${name}`);
      new Counter({ name: `plugin_${name}_total`, help: name, registers: [sctx.metrics] }).inc(2);
      app.addHook('onRequest', async (_req, reply) => {
        void reply.header(`x-${name}`, '1');
      });
      app.get(`/${name}`, async () => ({ name, port: sctx.options.port }));
    },
    async close() {
      events.push(`close ${name}`);
    },
  });
  const s = await startServe(ctx, { port: 0, pluginInstances: [mk('a'), mk('b')], registry, options: { flag: true } });
  try {
    const health = await (await fetch(`${s.url}/healthz`)).json();
    assert.deepEqual(health, { status: 'ok', plugins: ['a', 'b'] });
    const ra = await fetch(`${s.url}/a`);
    assert.deepEqual(await ra.json(), { name: 'a', port: 0 });
    assert.equal(ra.headers.get('x-a'), '1');
    assert.equal(ra.headers.get('x-b'), null, "plugin b's hooks do not run on plugin a's routes");
    const m = await (await fetch(`${s.url}/metrics`)).text();
    assert.equal(metricValue(m, 'plugin_a_total'), 2);
    assert.equal(metricValue(m, 'plugin_b_total'), 2);
    assert.equal((await fetch(`${s.url}/nope`)).status, 404);
  } finally {
    await s.close();
    await s.close(); // idempotent
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(events, ['register a', 'register b', 'close b', 'close a']);
});

test('serve: plugin discovery finds the collector and refuses unknown names', async () => {
  const all = await discoverPlugins();
  assert.ok(all.some((p) => p.name === 'collector'));
  assert.deepEqual((await discoverPlugins(['collector'])).map((p) => p.name), ['collector']);
  await assert.rejects(discoverPlugins(['collector', 'nosuch']), (e: unknown) => e instanceof EventlakeError && /unknown serve plugin\(s\): nosuch/.test(e.message));
});

test('serve: a plugin failing to register closes the ones already started and reports the cause', async () => {
  const dir = tempDir();
  const ctx = await buildContext({ lake: join(dir, 'lake') });
  const closed: string[] = [];
  try {
    await assert.rejects(
      startServe(ctx, {
        port: 0,
        registry: new Registry(),
        pluginInstances: [
          { name: 'ok', register: async () => undefined, close: async () => void closed.push('ok') },
          { name: 'broken', register: async () => { throw new Error('boom'); } },
        ],
      }),
      /boom/,
    );
    assert.deepEqual(closed, ['ok']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('metrics: records in/out, bytes, ack latency and flush time are exported', async () => {
  const t = await startCollector({ transform: 'none' });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await post(`${t.url}/firehose/PutRecordBatch`, batch(['{"a":1}', '{"b":2}']), { key: t.key })).status, 200);
    await post(`${t.url}/firehose/PutRecordBatch`, { Records: [{ Data: '***' }] }, { key: t.key });
    t.collector.flush();
    await t.collector.idle();
    const m = await (await fetch(`${t.url}/metrics`)).text();
    const producer = /records_in_total\{producer="([^"]+)"\}/.exec(m)?.[1];
    assert.ok(producer?.startsWith('test'));
    assert.equal(metricValue(m, `eventlake_collector_records_in_total{producer="${producer}"}`), 6);
    assert.equal(metricValue(m, 'eventlake_collector_records_rejected_total{reason="InvalidArgumentException"}'), 1);
    assert.equal(metricValue(m, 'eventlake_collector_records_out_total{result="ok"}'), 6);
    assert.equal(metricValue(m, 'eventlake_collector_ack_latency_seconds_count'), 3);
    assert.equal(metricValue(m, 'eventlake_collector_flush_seconds_count'), 1);
    assert.equal(metricValue(m, 'eventlake_collector_files_delivered_total'), 1);
    assert.ok(metricValue(m, 'eventlake_collector_bytes_out_total')! > 0);
    assert.equal(metricValue(m, 'eventlake_collector_buffer_bytes'), 0);
  } finally {
    await t.cleanup();
  }
});
