import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startGithubDevServers } from '../../../src/sources/github/dev-servers.ts';
import { generateGithubEvents } from '../../../src/sources/github/generate.ts';
import { runCli, sampleDir, tempDir } from './helpers.ts';

const env = (srv: { gharchiveUrl: string; apiUrl: string }, extra: Record<string, string> = {}) => ({
  EVENTLAKE_CFG__github__gharchive__baseUrl: srv.gharchiveUrl,
  EVENTLAKE_CFG__github__gharchive__retry: JSON.stringify({ attempts: 2, baseMs: 1, maxMs: 5 }),
  EVENTLAKE_CFG__github__api__baseUrl: srv.apiUrl,
  EVENTLAKE_CFG__github__api__pollIntervalSec: '0',
  ...extra,
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? (d as unknown as { path: string }).path, d.name).slice(dir.length + 1))
    .sort();
}

test('cli: --help explains each command; bad input exits 2', async () => {
  const h = await runCli(['extract', 'gharchive', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--start <hour>/);
  assert.match(h.stdout, /quarantined/);
  const p = await runCli(['poll', 'github', '--help']);
  assert.equal(p.code, 0);
  assert.match(p.stdout, /X-Poll-Interval/);
  const t = await tempDir();
  try {
    const bad = await runCli(['--lake', join(t.dir, 'lake'), 'extract', 'gharchive', '--start', '2026-11-01', '--end', '2026-11-01T05']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid --start "2026-11-01"/);
    const scope = await runCli(['--lake', join(t.dir, 'lake'), 'poll', 'github', '--once', '--scope', 'repos/only-owner']);
    assert.equal(scope.code, 2);
    assert.match(scope.stderr, /invalid scope/);
  } finally {
    await t.cleanup();
  }
});

test('cli: killed mid-backfill, a rerun lands every hour exactly once; status lists the gaps', async () => {
  const t = await tempDir();
  const lake = join(t.dir, 'lake');
  // Hour 3 stalls half-sent, so the kill always lands while it is in flight.
  const srv = await startGithubDevServers({ dataDir: sampleDir, faults: [{ target: '2026-11-01-3.json.gz', kind: 'stall', times: 1 }] });
  try {
    const first = await runCli(['--lake', lake, 'extract', 'gharchive', '--start', '2026-11-01T00', '--end', '2026-11-01T07', '--concurrency', '1'], env(srv), (kill) => {
      const timer = setInterval(() => {
        if (srv.requests.some((q) => q.path.endsWith('2026-11-01-3.json.gz'))) {
          clearInterval(timer);
          setTimeout(kill, 100);
        }
      }, 20);
    });
    assert.equal(first.code, 137, 'the first run was killed');
    const cps = filesUnder(join(lake, '_eventlake', 'checkpoints', 'github'));
    assert.deepEqual(cps, ['gharchive-2026-11-01T00.json', 'gharchive-2026-11-01T01.json', 'gharchive-2026-11-01T02.json']);

    const n = srv.requests.length;
    const second = await runCli(['--lake', lake, 'extract', 'gharchive', '--start', '2026-11-01T00', '--end', '2026-11-01T07'], env(srv));
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /3 landed .* 3 already done, 2 missing \[2026-11-01T06, 2026-11-01T07\], 0 failed/);
    assert.deepEqual(
      srv.requests.slice(n).map((q) => q.path).sort(),
      [3, 4, 5, 6, 7].map((h) => `/gharchive/2026-11-01-${h}.json.gz`),
      'only the hours not done were fetched',
    );
    const raw = filesUnder(join(lake, 'raw'));
    assert.deepEqual(raw, [0, 1, 2, 3, 4, 5].map((h) => `github/dt=2026-11-01/hour=0${h}/gharchive-2026-11-01-0${h}.json.gz`));
    for (const h of [0, 1, 2, 3, 4, 5]) {
      const got = await readFile(join(lake, 'raw', `github/dt=2026-11-01/hour=0${h}/gharchive-2026-11-01-0${h}.json.gz`));
      assert.ok(got.equals(await readFile(join(sampleDir, `2026-11-01-${h}.json.gz`))), `hour ${h} intact`);
    }

    const status0 = await runCli(['--lake', lake, 'status', '--source', 'github', '--json'], env(srv));
    assert.equal(status0.code, 0);
    const s = JSON.parse(status0.stdout);
    assert.equal(s.files, 6);
    assert.equal(s.events, 6 * 300 - 1);
    assert.deepEqual(s.missing, ['2026-11-01T06', '2026-11-01T07']);
    const text = await runCli(['--lake', lake, 'status'], env(srv));
    assert.match(text.stdout, /github: 6 hour\(s\), 6 file\(s\)/);
    assert.match(text.stdout, /2026-11-01\s+06\s+0\s+0 B\s+-\s+missing/);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('cli: a corrupt hour exits 4 and status reports it as failed with the quarantine key', async () => {
  const t = await tempDir();
  const lake = join(t.dir, 'lake');
  const srv = await startGithubDevServers({ dataDir: sampleDir, faults: [{ target: '2026-11-01-1.json.gz', kind: 'corrupt' }] });
  try {
    const r = await runCli(['--lake', lake, 'extract', 'gharchive', '--start', '2026-11-01T00', '--end', '2026-11-01T01'], env(srv));
    assert.equal(r.code, 4);
    assert.match(r.stderr, /1 of 2 hours failed: 2026-11-01T01/);
    assert.match(r.stderr, /next: eventlake extract gharchive --start 2026-11-01T00 --end 2026-11-01T01/);
    const st = JSON.parse((await runCli(['--lake', lake, 'status', '--source', 'github', '--json'], env(srv))).stdout);
    assert.deepEqual(st.failed, ['2026-11-01T01']);
    assert.match(st.hours[1].detail, /quarantined at quarantine\/github\/dt=2026-11-01\/hour=01\/gharchive-2026-11-01-01\.json\.gz/);
  } finally {
    await srv.close();
    await t.cleanup();
  }
});

test('cli: poll github never prints the token, even at debug level or on a 401', async () => {
  const t = await tempDir();
  const token = 'ghp_CliSecretToken_0123456789abcdef';
  const srv = await startGithubDevServers({ apiEvents: generateGithubEvents({ hourMs: Date.UTC(2026, 10, 1, 12), count: 40, seed: 3 }), token });
  try {
    const ok = await runCli(['--lake', join(t.dir, 'lake'), 'poll', 'github', '--once'], env(srv, { GITHUB_TOKEN: token, EVENTLAKE_LOG_LEVEL: 'debug' }));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /40 new events/);
    assert.ok(!ok.stdout.includes(token) && !ok.stderr.includes(token));
    const bad = await runCli(['--lake', join(t.dir, 'lake'), 'poll', 'github', '--once'], env(srv, { GITHUB_TOKEN: token + 'x', EVENTLAKE_LOG_LEVEL: 'debug' }));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /401 Bad credentials/);
    assert.match(bad.stderr, /GITHUB_TOKEN/);
    assert.ok(!bad.stderr.includes(token) && !bad.stdout.includes(token));
  } finally {
    await srv.close();
    await t.cleanup();
  }
});
