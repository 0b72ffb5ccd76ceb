// Measurement helpers for `npm run bench`: wall time and peak RSS of a child process via GNU time,
// medians over repeated runs, and the results table.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Process groups of the measured children still running (so a timed-out row module can stop them). */
const running = new Set<number>();

/** Stops every measured child still running (SIGKILL to its process group: /usr/bin/time and what it runs). */
export function killMeasuredChildren(): number {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const n = running.size;
  running.clear();
  return n;
}

export interface Measured {
  seconds: number;
  peakRssMB: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time; throws with stderr when it fails. */
export async function measure(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; shell?: boolean } = {}): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const out = join(dir, 'time.txt');
  try {
    const argv = opts.shell ? ['-f', '%e %M', '-o', out, 'bash', '-c', [cmd, ...args].join(' ')] : ['-f', '%e %M', '-o', out, cmd, ...args];
    const started = process.hrtime.bigint();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      // Own process group, so a timeout can stop the whole child tree (see killMeasuredChildren).
      const p = spawn('/usr/bin/time', argv, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      if (p.pid) running.add(p.pid);
      let so = '';
      let se = '';
      p.stdout.on('data', (d) => (so += d));
      p.stderr.on('data', (d) => (se = (se + d).slice(-4000)));
      p.on('close', (c, sig) => {
        if (p.pid) running.delete(p.pid);
        resolve({ code: c ?? 1, stdout: so, stderr: sig ? `${se}\nkilled by ${sig}` : se });
      });
    });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr}`);
    const [, rssKb] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2);
    return { seconds: wall, peakRssMB: Number(rssKb) / 1024, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Measures `runs` times (after `prepare` each time) and returns the median run by time, with the max peak RSS. */
export async function medianOf(runs: number, prepare: () => Promise<void> | void, run: () => Promise<Measured>): Promise<Measured & { all: number[] }> {
  const results: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    await prepare();
    results.push(await run());
  }
  const all = results.map((r) => r.seconds);
  const med = median(all);
  const pick = results.find((r) => r.seconds === med) ?? results[0]!;
  return { ...pick, seconds: med, peakRssMB: Math.max(...results.map((r) => r.peakRssMB)), all };
}

export interface BenchRow {
  row: string;
  ours: string;
  comparison: string;
  ratio: number | null;
  /** Human statement of the target, e.g. ">= 2.0x faster". */
  target: string;
  pass: boolean | null;
  notes?: string;
}

export function printTable(rows: BenchRow[]): string {
  const header = ['row', 'ours', 'comparison', 'ratio', 'target', 'pass'];
  const data = rows.map((r) => [r.row, r.ours, r.comparison, r.ratio === null ? '-' : r.ratio.toFixed(2) + 'x', r.target, r.pass === null ? '-' : r.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...data.map((d) => d[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...data.map(line)].join('\n');
}
