// kill -9 of a real `eventlake serve` child process mid-stream, then restart: every acknowledged record is delivered
// exactly once, nothing lands that was not sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { buildContext } from '../../src/cli/context.ts';
import { listAll } from '../../src/core/storage.ts';
import { batch, delivered, fixtureLines, post, tempDir, waitFor } from './helpers.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const KEY = 'elk_crash-test-producer-key-0123456789';

/** Children still running when a test ends (a failed wait must not leave a server that keeps the runner alive). */
const children = new Set<ChildProcess>();

function startChild(configFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--plugins', 'collector'], {
    cwd: repoRoot,
    env: { ...process.env, EVENTLAKE_CONFIG: configFile, EVENTLAKE_COLLECTOR_KEY__CRASH: KEY, EVENTLAKE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`serve exited early (${code}): ${err}`)));
  });
}

test('kill -9 mid-stream, restart: every acked record lands exactly once', async (tc) => {
  const dir = tempDir();
  const lake = join(dir, 'lake');
  const configFile = join(dir, 'eventlake.config.yaml');
  writeFileSync(configFile, `lake:\n  root: ${lake}\ncollector:\n  bufferSizeMiB: 1\n  bufferIntervalSeconds: 1\n  gzipLevel: 1\n`);
  const template = JSON.parse(fixtureLines[0]!) as Record<string, unknown>;
  let nextId = 1;
  const sent = new Set<string>();
  const acked = new Set<string>();
  const send = async (url: string, n: number) => {
    const ids = Array.from({ length: n }, () => String(nextId++));
    ids.forEach((id) => sent.add(id));
    const r = await post(`${url}/firehose/PutRecordBatch`, batch(ids.map((id) => JSON.stringify({ ...template, id }))), { key: KEY });
    if (r.status === 200 && r.body.FailedPutCount === 0) ids.forEach((id) => acked.add(id));
    return r.status;
  };
  try {
    const first = await startChild(configFile);
    let stop = false;
    let inFlight = 0;
    const senders = Array.from({ length: 4 }, async () => {
      while (!stop) {
        inFlight++;
        try {
          await send(first.url, 100);
        } catch {
          stop = true; // connection reset by the kill
        } finally {
          inFlight--;
        }
      }
    });
    // Let at least one buffer reach the lake first, so the crash falls between deliveries.
    const ctx = await buildContext({ lake });
    await waitFor(async () => acked.size > 1000 && (await listAll(ctx.storage, 'raw/github/')).length > 0, 'a delivery before the crash', 30_000);
    await waitFor(async () => inFlight > 0, 'requests in flight');
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    stop = true;
    await Promise.all(senders);
    const walDir = join(dir, '.eventlake-wal', 'github');
    assert.ok(readdirSync(walDir).some((f) => f.endsWith('.wal')), 'acked records were waiting in the WAL at the crash');
    const ackedBefore = acked.size;

    const second = await startChild(configFile);
    assert.equal(await send(second.url, 100), 200);
    second.child.kill('SIGTERM'); // graceful: delivers the rest
    const [code] = await once(second.child, 'exit');
    assert.equal(code, 0);

    const landed: string[] = [];
    for (const text of (await delivered({ ctx }, 'raw/github/')).values()) for (const line of text.trim().split('\n')) landed.push((JSON.parse(line) as { id: string }).id);
    const landedSet = new Set(landed);
    assert.equal(landedSet.size, landed.length, 'no record landed twice');
    const missing = [...acked].filter((id) => !landedSet.has(id));
    assert.deepEqual(missing, [], 'every acked record landed');
    assert.deepEqual(landed.filter((id) => !sent.has(id)), [], 'nothing landed that was not sent');
    assert.ok(ackedBefore > 1000 && acked.size === ackedBefore + 100);
    // Exact accounting: sent = acked (all landed) + unacknowledged; of the unacknowledged (in flight at the kill),
    // those whose WAL write completed may land too, at most once — never more than were in flight.
    const landedUnacked = landed.filter((id) => !acked.has(id)).length;
    assert.equal(landed.length, acked.size + landedUnacked);
    assert.ok(landedUnacked <= sent.size - acked.size && sent.size - acked.size <= 4 * 100);
    tc.diagnostic(`sent ${sent.size} = acked ${acked.size} (all landed) + unacked ${sent.size - acked.size} (${landedUnacked} of them landed)`);
    assert.deepEqual(readdirSync(walDir).filter((f) => f.endsWith('.wal')), [], 'the WAL is empty after a graceful stop');
  } finally {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
