// CI smoke for `npm run bench`: runs `bench/run.ts --quick` on a chosen set of row modules in a child process and checks
// that every row produced figures. The point is that the bench code cannot rot while the code it measures changes
// (renamed options, changed --json shapes, moved modules). It asserts nothing about speed: pass/fail of the targets is
// the bench's business, and timings on a shared 2-core CI machine mean nothing.
//
// Rows run here: every module that needs nothing beyond loopback, python3 and the PostgreSQL started by
// .ci/setup.d/postgres.sh. Measured in --quick on this 2-core machine under load average ~16 (shared): ~175 s in all
// (scaling 62, transform 40, collector 20, amplitude-extract 17, gharchive 13, postgres-load 11, gold-queries 7,
// dashboard 7); the whole test took 44 s at load average ~5.
//   scaling           – the real extract + transform CLIs against the local Amplitude dev server (2 sizes)
//   transform         – raw → cleaned vs a bare DuckDB COPY, gold build, a gold query
//   amplitude-extract – zip → raw and unzip vs the seed's Python procedure (python3 from the Debian base image)
//   collector         – 3 s of durable-ack load vs a bare append server, both on 127.0.0.1
//   gharchive         – GH Archive backfill from the 127.0.0.1 dev server vs `zcat | wc -l`
//   postgres-load     – gold load into PostgreSQL vs `psql \copy`
//   gold-queries      – GitHub silver/gold build and the named queries, in-process DuckDB
//   dashboard         – panel API latency on generated gold (HTTP on 127.0.0.1; no browser, no Vite build)
// Missing files are skipped, so the list may name rows that land later; a new row module belongs here when it needs
// nothing more and the whole run stays under ~3 minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from '../../bench/lib/measure.ts';

const repoRoot = new URL('../..', import.meta.url).pathname;
const CANDIDATES = ['scaling', 'transform', 'amplitude-extract', 'collector', 'gharchive', 'postgres-load', 'gold-queries', 'dashboard'];
const rowsToRun = CANDIDATES.filter((n) => existsSync(join(repoRoot, 'bench/rows', `${n}.ts`)));

test('bench --quick: every selected row module runs and reports numeric figures, no error rows', { timeout: 480_000 }, async () => {
  assert.ok(rowsToRun.includes('scaling'), 'bench/rows/scaling.ts must exist');
  const dir = mkdtempSync(join(tmpdir(), 'bench-quick-test-'));
  const out = join(dir, 'results.json');
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      // --timeout per module: a hung module becomes an error row (and fails this test) instead of hanging CI.
      const p = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--only', rowsToRun.join(','), '--timeout', '240', '--out', out], {
        cwd: repoRoot,
        env: { ...process.env, EVENTLAKE_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let se = '';
      p.stdout.resume();
      p.stderr.on('data', (d) => (se = (se + d).slice(-6000)));
      p.on('error', reject);
      p.on('close', (c) => resolve({ code: c, stderr: se }));
    });
    assert.ok(existsSync(out), `bench wrote no results file; exit ${code}; stderr:\n${stderr}`);
    const res = JSON.parse(readFileSync(out, 'utf8')) as { quick: boolean; measuredAt: string; rows: BenchRow[] };
    const errors = res.rows.filter((r) => r.ours === 'error');
    assert.deepEqual(errors, [], `error rows:\n${errors.map((r) => `${r.row}: ${r.notes}`).join('\n')}`);
    assert.equal(code, 0, `bench exited ${code}; stderr:\n${stderr}`);
    assert.equal(res.quick, true);
    assert.ok(!Number.isNaN(Date.parse(res.measuredAt)));
    // Each module contributes at least one row; every row carries a measured figure.
    assert.ok(res.rows.length >= rowsToRun.length, `only ${res.rows.length} rows for ${rowsToRun.length} modules`);
    for (const r of res.rows) {
      assert.match(r.ours, /\d/, `row "${r.row}" has no figure: ${r.ours}`);
      assert.ok(r.ratio === null || Number.isFinite(r.ratio), `row "${r.row}" ratio ${r.ratio}`);
      assert.ok(r.pass === null || typeof r.pass === 'boolean', `row "${r.row}" pass ${r.pass}`);
      if (r.ratio !== null) assert.match(r.comparison, /\d/, `row "${r.row}" has a ratio but no comparison figure`);
    }
    // The scaling module reports both stages at both quick sizes plus its two claims per stage.
    const scaling = res.rows.filter((r) => r.row.startsWith('scaling '));
    assert.equal(scaling.length, 8, scaling.map((r) => r.row).join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
