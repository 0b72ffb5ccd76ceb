// Shared helpers for the collector tests: a temp lake, a real server on 127.0.0.1:0, HTTP calls, reading delivered files.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { buildContext, type Context } from '../../src/cli/context.ts';
import { startServe, type RunningServer } from '../../src/serve/server.ts';
import { createCollectorPlugin } from '../../src/serve/plugins/collector.ts';
import { addProducer } from '../../src/collector/auth.ts';
import { listAll } from '../../src/core/storage.ts';
import type { Collector } from '../../src/collector/collector.ts';

export const fixtureLines = gunzipSync(readFileSync(new URL('../fixtures/github-events-2013.json.gz', import.meta.url))).toString('utf8').trim().split('\n');

export interface TestServer {
  dir: string;
  lake: string;
  ctx: Context;
  server: RunningServer;
  collector: Collector;
  registry: Registry;
  key: string;
  url: string;
  stop(): Promise<void>;
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'eventlake-collector-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `eventlake serve` with only the collector plugin on a free port, with one producer "test". */
export async function startCollector(collector: Record<string, unknown> = {}, dir = tempDir()): Promise<TestServer> {
  const lake = join(dir, 'lake');
  const ctx = await buildContext({ lake }, { collector: { bufferIntervalSeconds: 900, ...collector } });
  let key = '';
  if (collector.requireAuth !== false) key = (await addProducer(ctx.storage, ctx.layout, `test${Math.random().toString(36).slice(2, 8)}`)).key;
  const registry = new Registry();
  const plugin = createCollectorPlugin();
  const server = await startServe(ctx, { host: '127.0.0.1', port: 0, pluginInstances: [plugin], registry });
  let stopped = false;
  const t: TestServer = {
    dir,
    lake,
    ctx,
    server,
    collector: plugin.collector!,
    registry,
    key,
    url: server.url,
    async stop() {
      if (!stopped) await server.close();
      stopped = true;
    },
    async cleanup() {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

export interface Res {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function post(url: string, body: unknown, opts: { key?: string; contentType?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json', ...(opts.headers ?? {}) };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  const r = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, headers: r.headers, body: parsed };
}

export const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

export function batch(payloads: (string | Buffer)[]): { Records: { Data: string }[] } {
  return { Records: payloads.map((p) => ({ Data: b64(p) })) };
}

/** Every delivered file under a prefix: key → decompressed text. */
export async function delivered(t: { ctx: Context }, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const o of await listAll(t.ctx.storage, prefix)) out.set(o.key, gunzipSync(await t.ctx.storage.get(o.key)).toString('utf8'));
  return out;
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    // A listing may race a delivery renaming its temp file into place (ENOENT): that is "not yet", not a failure.
    let v: T | undefined | false;
    let err: unknown;
    try {
      v = await fn();
    } catch (e) {
      err = e;
    }
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${err ? `: ${(err as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Value of one Prometheus sample from the text exposition, e.g. metric('x_total{result="ok"}'). */
export function metricValue(text: string, sample: string): number | undefined {
  for (const line of text.split('\n')) if (line.startsWith(sample + ' ')) return Number(line.slice(sample.length + 1));
  return undefined;
}
