// The CLI as users run it: spawned processes, real dev server over 127.0.0.1, exit codes, help, secrets in output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { startAmplitudeDevServer, type Fault } from '../../../src/sources/amplitude/index.ts';
import { API_KEY, REPO, SAMPLES, SAMPLE_FILES, SECRET_KEY, expectedKey, filesUnder, tempDir } from './helpers.ts';

const BIN = join(REPO, 'bin', 'eventlake.js');

function cliEnv(url: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, AMPLITUDE_API_KEY: API_KEY, AMPLITUDE_SECRET_KEY: SECRET_KEY, EVENTLAKE_LOG_LEVEL: 'info', EVENTLAKE_LOG_JSON: '1' };
  env.EVENTLAKE_CFG__amplitude__baseUrl = JSON.stringify(url);
  env.EVENTLAKE_CFG__amplitude__retry = JSON.stringify({ attempts: 2, baseMs: 1, maxMs: 2 });
  return { ...env, ...extra };
}

function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

test('--help explains extract amplitude, unzip and dev amplitude-server', async () => {
  const root = tempDir();
  try {
    const env = cliEnv('http://127.0.0.1:9');
    const cases = [
      [['extract', 'amplitude', '--help'], /--start <hour>[\s\S]*Exit codes: 0[\s\S]*4 some windows failed/],
      [['unzip', '--help'], /--out <dir>[\s\S]*zip-bomb/i],
      [['dev', 'amplitude-server', '--help'], /--data <dir\|zip>[\s\S]*--fail-429/],
    ] as const;
    const [bad, ...helps] = await Promise.all([runCli(['extract', 'amplitude', '--start', '2026-11-01T00'], root, env), ...cases.map(([args]) => runCli([...args], root, env))]);
    helps.forEach((r, i) => {
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, cases[i]![1]);
    });
    // Commander usage errors currently exit 1 through src/cli/program.ts reportError (reported to the lead).
    assert.notEqual(bad!.code, 0, 'missing --end fails');
    assert.match(bad!.err, /--end <hour>/);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('CLI exit codes: 0 ok, 4 partial, 2 for too-young hours, 1 on auth errors; keys never printed', async () => {
  const h3 = Date.UTC(2026, 10, 1, 3);
  const fault = (r: { start: number; end: number }): Fault | undefined => (r.start <= h3 && h3 <= r.end ? { kind: 'status', status: 500, body: 'boom' } : undefined);
  const srv = await startAmplitudeDevServer({ data: SAMPLES, apiKey: API_KEY, secretKey: SECRET_KEY, fault });
  const root = tempDir();
  try {
    const env = cliEnv(srv.url, { EVENTLAKE_CFG__amplitude__windowHours: '1' });
    const lake = join(root, 'lake');
    const [partial, young, wrong] = await Promise.all([
      runCli(['--lake', lake, 'extract', 'amplitude', '--start', '2026-11-01T00', '--end', '2026-11-01T05'], root, env),
      runCli(['--lake', join(root, 'lake3'), 'extract', 'amplitude', '--start', '2026-11-01T00', '--end', new Date(Date.now()).toISOString().slice(0, 13)], root, env),
      runCli(['--lake', join(root, 'lake2'), 'extract', 'amplitude', '--start', '2026-11-01T00', '--end', '2026-11-01T01'], root, { ...env, AMPLITUDE_SECRET_KEY: 'a-wrong-secret-value' }),
    ]);
    assert.equal(partial.code, 4, partial.err);
    assert.match(partial.out, /5 landed, 0 empty, 0 already done, 1 failed/);
    assert.match(partial.out, /FAILED 2026-11-01T03: HTTP_500/);
    assert.match(partial.out, /next: eventlake extract amplitude --start 2026-11-01T00 --end 2026-11-01T05/);

    assert.equal(young.code, 2, young.err);
    assert.match(young.err, /less than 2 h old[\s\S]*--force/);

    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /AUTH[\s\S]*HTTP 403[\s\S]*region/);
    for (const r of [partial, young, wrong]) {
      const all = r.out + r.err;
      for (const s of [API_KEY, SECRET_KEY, 'a-wrong-secret-value', Buffer.from(`${API_KEY}:${SECRET_KEY}`).toString('base64'), Buffer.from(`${API_KEY}:a-wrong-secret-value`).toString('base64')]) {
        assert.ok(!all.includes(s), `secret ${s.slice(0, 6)}… leaked`);
      }
    }
  } finally {
    await srv.close();
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('killed mid-range, a rerun resumes from the checkpoints and lands every hour exactly once', async () => {
  const srv = await startAmplitudeDevServer({ data: SAMPLES, apiKey: API_KEY, secretKey: SECRET_KEY, delayMs: 300 });
  const root = tempDir();
  try {
    const lake = join(root, 'lake');
    const env = cliEnv(srv.url, { EVENTLAKE_CFG__amplitude__windowHours: '1', EVENTLAKE_CFG__amplitude__concurrency: '1' });
    const args = ['--lake', lake, 'extract', 'amplitude', '--start', '2026-11-01T00', '--end', '2026-11-01T05'];
    const p = spawn(process.execPath, [BIN, ...args], { cwd: root, env, stdio: 'ignore' });
    const cp1 = join(lake, '_eventlake/checkpoints/amplitude/2026-11-01T01.json');
    for (let i = 0; i < 400 && !existsSync(cp1); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(existsSync(cp1), 'two hours landed before the kill');
    p.kill('SIGKILL');
    await new Promise((r) => p.on('close', r));
    const doneBefore = (await filesUnder(join(lake, '_eventlake/checkpoints/amplitude'))).length;
    assert.ok(doneBefore >= 2 && doneBefore < 6, `killed mid-range (${doneBefore} hours done)`);
    const before = srv.requests.length;
    const r = await runCli(args, root, env);
    assert.equal(r.code, 0, r.err);
    const asked = srv.requests.slice(before).map((x) => x.start);
    assert.equal(asked.length, 6 - doneBefore, 'only the hours without a checkpoint are asked again');
    assert.ok(!asked.includes('20261101T00') && !asked.includes('20261101T01'));
    assert.deepEqual(
      (await filesUnder(join(lake, 'raw'))).map((f) => 'raw/' + f),
      SAMPLE_FILES.map(expectedKey).sort(),
    );
  } finally {
    await srv.close();
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('eventlake unzip writes NDJSON files and exits 1 with the entry named on a truncated gzip', async () => {
  const root = tempDir();
  const srv = await startAmplitudeDevServer({ data: SAMPLES, fault: (r) => (r.n === 2 ? { kind: 'truncated-gzip' } : undefined) });
  try {
    const get = async (name: string) => {
      const res = await fetch(`${srv.url}/api/2/export?start=20261101T00&end=20261101T05`, { headers: { authorization: 'Basic ' + Buffer.from('dev-api-key:dev-secret-key').toString('base64') } });
      await fs.writeFile(join(root, name), Buffer.from(await res.arrayBuffer()));
    };
    await get('good.zip');
    await get('bad.zip');
    const [ok, bad] = await Promise.all([runCli(['unzip', 'good.zip', '--out', 'data'], root, cliEnv(srv.url)), runCli(['unzip', 'bad.zip', '--out', 'data2'], root, cliEnv(srv.url))]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /unzipped 6 files/);
    assert.deepEqual(await filesUnder(join(root, 'data')), SAMPLE_FILES.map((f) => f.replace(/\.gz$/, '')).sort());
    assert.equal(bad.code, 1);
    assert.match(bad.err, /GZIP_CORRUPT[\s\S]*bad\.zip: entry 187520\/187520_2026-11-01_5#0\.json\.gz/);
    assert.deepEqual(await filesUnder(join(root, 'data2')), []);
  } finally {
    await srv.close();
    await fs.rm(root, { recursive: true, force: true });
  }
});
