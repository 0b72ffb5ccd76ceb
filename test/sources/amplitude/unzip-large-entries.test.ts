// `eventlake unzip` as users run it (spawned CLI: only the unzip command module loaded, inflate in the worker thread
// through tsx's CommonJS hook) on entries that inflate to many 256 KiB chunks: output byte-identical to gunzip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { writeAmplitudeHourlyFiles, writeExportZip } from '../../../src/sources/amplitude/index.ts';
import { REPO, filesUnder, tempDir } from './helpers.ts';

function runCli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(REPO, 'bin', 'eventlake.js'), ...args], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, EVENTLAKE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

test('eventlake unzip: multi-MB entries (many inflate chunks each) come out byte-identical to gunzip, at concurrency 1 and 3', async () => {
  const dir = tempDir();
  try {
    const files = await writeAmplitudeHourlyFiles({ start: '2026-11-01T00', end: '2026-11-01T02', events: 12_000, outDir: join(dir, 'gz'), eventsPerFile: 2_500, seed: 7 });
    const zip = join(dir, 'export.zip');
    await writeExportZip(files.map((f) => f.path), zip);
    const inflated = files.map((f) => gunzipSync(readFileSync(f.path)));
    assert.ok(Math.min(...inflated.map((b) => b.length)) > 4 * 256 * 1024, `entries should span several inflate chunks: ${inflated.map((b) => b.length).join(', ')}`);
    for (const c of ['1', '3']) {
      const r = await runCli(['unzip', 'export.zip', '--out', `out-${c}`, '--concurrency', c], dir);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`unzipped ${files.length} files`));
      const out = join(dir, `out-${c}`);
      assert.deepEqual(await filesUnder(out), files.map((f) => f.baseName.replace(/\.gz$/, '')).sort());
      files.forEach((f, i) => assert.ok(readFileSync(join(out, f.baseName.replace(/\.gz$/, ''))).equals(inflated[i]!), `${f.baseName} (concurrency ${c})`));
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
