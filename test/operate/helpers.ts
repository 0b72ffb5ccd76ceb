// Shared test setup for test/operate: a throwaway lake with a real Context, test-only task kinds, and
// local HTTP receivers (Slack webhook, SNS Query API) on 127.0.0.1.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { LocalStorage } from '../../src/storage/local/local-storage.ts';
import { LakeLayout } from '../../src/lake/layout.ts';
import { MetaStore } from '../../src/lake/meta-store.ts';
import { log } from '../../src/core/log.ts';
import type { Context } from '../../src/cli/context.ts';

export interface TestLake {
  dir: string;
  ctx: Context;
  cleanup(): Promise<void>;
}

export async function testLake(operate: Record<string, unknown> = {}): Promise<TestLake> {
  const dir = await mkdtemp(join(tmpdir(), 'el-operate-'));
  const loaded = loadConfig({ cwd: dir, env: {}, dotenv: false, overrides: { lake: { root: join(dir, 'lake') }, operate } });
  const storage = new LocalStorage({ root: loaded.lakeRoot });
  const layout = new LakeLayout(loaded.config.lake.prefixes);
  const ctx: Context = { loaded, storage, layout, meta: new MetaStore(storage, layout), log };
  return { dir, ctx, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on 127.0.0.1 that records requests and answers with `respond`. */
export async function receiver(respond: (r: Received) => { status: number; body?: string; type?: string } = () => ({ status: 200, body: 'ok' })) {
  const got: Received[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      got.push(r);
      const out = respond(r);
      res.writeHead(out.status, { 'content-type': out.type ?? 'text/plain' });
      res.end(out.body ?? '');
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    got,
    /** Resolves once at least n requests arrived. */
    async waitFor(n: number): Promise<void> {
      while (got.length < n) await new Promise<void>((r) => waiters.push(r));
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** An SNS Query-protocol endpoint: answers Publish like AWS does. */
export function snsResponder(r: Received) {
  const id = `msg-${r.body.length}`;
  return {
    status: 200,
    type: 'text/xml',
    body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PublishResponse>`,
  };
}
