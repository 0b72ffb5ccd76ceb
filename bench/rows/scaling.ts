// Scaling (issue 10): the real `eventlake extract amplitude` (Export API zip → raw, against the local dev server on
// 127.0.0.1) and `eventlake transform --source amplitude` (raw → cleaned) at 0.5M, 1M, 2M and 4M events
// (--quick: 20k, 40k). Each stage runs as its own CLI process under /usr/bin/time, so the figures include the CLI's
// start-up (reported separately, so small sizes can be read fairly).
// Two claims are checked, per stage:
//   linear time  – seconds per million events at the largest size / at the smallest ≤ 1.3
//   flat memory  – peak RSS at the largest size / at the smallest ≤ 1.5
// Every size uses the same 48 export hours, so a bigger export means bigger hours and more `#n` parts per hour: the
// export grows the way a busier project's does. Data is generated streaming to disk (never all events in memory) and
// cached in $TMPDIR/eventlake-bench-cache/ in full mode (generation is not what is measured).
// A stage that fails at a size (OOM, non-zero exit, wrong counts) becomes a failing row with the error; later sizes
// still run.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from '../run.ts';
import { measure, medianOf, type BenchRow, type Measured } from '../lib/measure.ts';

const GEN_VERSION = 'v1';
const START = '2026-11-01T00';
const END = '2026-11-02T23';
const API_KEY = 'bench-api-key';
const SECRET_KEY = 'bench-secret-key';

type Stage = 'extract' | 'transform';
interface Point {
  events: number;
  stage: Stage;
  m?: Measured & { all: number[] };
  error?: string;
}

const million = (n: number) => (n >= 1e5 ? `${n / 1e6}M` : `${n / 1e3}k`);

/** Hourly export files for `events` events (plus 0.1% re-sent duplicates); cached in full mode. */
async function ensureHourlyFiles(events: number, cacheRoot: string): Promise<{ dir: string; lines: number }> {
  const { writeAmplitudeHourlyFiles } = await import('../../src/sources/amplitude/index.ts');
  const dir = join(cacheRoot, `amplitude-hourly-${events}-${GEN_VERSION}`);
  const done = join(dir, '.done.json');
  if (!existsSync(done)) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`  scaling: generating ${events.toLocaleString('en')} events in ${dir}...\n`);
    const files = await writeAmplitudeHourlyFiles({ start: START, end: END, events, outDir: dir, eventsPerFile: 20_000, duplicates: Math.round(events / 1000), seed: 11 });
    writeFileSync(done, JSON.stringify({ files: files.length, lines: files.reduce((s, f) => s + f.events, 0) }));
  }
  const meta = JSON.parse(readFileSync(done, 'utf8')) as { lines: number };
  return { dir, lines: meta.lines };
}

export async function rows(opts: BenchOptions): Promise<BenchRow[]> {
  const { startAmplitudeDevServer } = await import('../../src/sources/amplitude/index.ts');
  const sizes = opts.quick ? [20_000, 40_000] : [500_000, 1_000_000, 2_000_000, 4_000_000];
  const runs = Number(process.env.BENCH_SCALING_RUNS ?? (opts.quick ? 1 : 2));
  const cacheRoot = opts.quick ? join(opts.workDir, 'data') : join(tmpdir(), 'eventlake-bench-cache');
  mkdirSync(cacheRoot, { recursive: true });
  const main = join(opts.repoRoot, 'src/cli/main.ts');
  const cli = (lake: string, env: NodeJS.ProcessEnv, ...args: string[]) =>
    measure(process.execPath, ['--import', 'tsx', main, '--lake', lake, ...args], {
      cwd: opts.repoRoot,
      env: { EVENTLAKE_LOG_LEVEL: 'warn', EVENTLAKE_CONFIG: '', ...env },
    });

  // What every point pays regardless of size: node + tsx + the CLI's module graph.
  const startup = await medianOf(opts.quick ? 1 : 3, () => undefined, () => cli(opts.workDir, {}, '--version'));

  const points: Point[] = [];
  for (const events of sizes) {
    if (opts.signal?.aborted) break;
    const data = await ensureHourlyFiles(events, cacheRoot);
    const lake = join(opts.workDir, `lake-${events}`);
    const reset = (sub?: string) => rmSync(sub ? join(lake, sub) : lake, { recursive: true, force: true });
    // Entries are stored (not deflated again) in the served zips, so the server in this process spends no CPU
    // competing with the measured extract on 2 cores; the .json.gz bytes are what the client verifies either way.
    const server = await startAmplitudeDevServer({ data: data.dir, apiKey: API_KEY, secretKey: SECRET_KEY, compress: false });
    const ampEnv = {
      EVENTLAKE_CFG__amplitude__baseUrl: JSON.stringify(server.url),
      AMPLITUDE_API_KEY: API_KEY,
      AMPLITUDE_SECRET_KEY: SECRET_KEY,
    };
    const extract: Point = { events, stage: 'extract' };
    const transform: Point = { events, stage: 'transform' };
    points.push(extract, transform);
    try {
      extract.m = await medianOf(runs, () => reset(), () => cli(lake, ampEnv, 'extract', 'amplitude', '--start', START, '--end', END, '--json'));
      const s = JSON.parse(extract.m.stdout) as { events: number; hours: { failed: number } };
      if (s.events !== data.lines || s.hours.failed) throw new Error(`extract landed ${s.events} of ${data.lines} events, ${s.hours.failed} hours failed`);
    } catch (err) {
      extract.error = (err as Error).message;
    } finally {
      await server.close();
    }
    if (extract.error) {
      transform.error = 'skipped: extract failed at this size';
    } else {
      try {
        transform.m = await medianOf(runs, () => (reset('cleaned'), reset('quarantine')), () => cli(lake, {}, 'transform', '--source', 'amplitude', '--json'));
        const parts = JSON.parse(transform.m.stdout) as { result: { rows: Record<string, number> } }[];
        const loaded = parts.reduce((n, p) => n + (p.result.rows.events ?? 0), 0);
        // Re-sent duplicates share a uuid and are dropped: cleaned holds exactly the generated events.
        if (loaded !== events) throw new Error(`transform loaded ${loaded} of ${events} events`);
      } catch (err) {
        transform.error = (err as Error).message;
      }
    }
    for (const p of [extract, transform]) {
      const fig = p.m ? `${p.m.seconds.toFixed(2)} s, ${p.m.peakRssMB.toFixed(0)} MB` : `error: ${p.error?.slice(0, 200)}`;
      process.stderr.write(`  scaling: ${p.stage} ${million(events)} events: ${fig}\n`);
    }
    reset();
  }

  return [...pointRows(points, sizes), ...claimRows(points, sizes, 'extract', startup), ...claimRows(points, sizes, 'transform', startup)];
}

function pointRows(points: Point[], sizes: number[]): BenchRow[] {
  const out: BenchRow[] = [];
  for (const stage of ['extract', 'transform'] as const) {
    for (const events of sizes) {
      const p = points.find((x) => x.stage === stage && x.events === events) ?? { events, stage, error: 'not run' };
      const row = `scaling ${stage} ${million(events)} events`;
      if (!p.m) {
        out.push({ row, ours: 'error', comparison: '-', ratio: null, target: 'completes', pass: false, notes: (p.error ?? 'not run').slice(0, 300) });
        continue;
      }
      out.push({
        row,
        ours: `${p.m.seconds.toFixed(2)} s (${(p.m.seconds / (events / 1e6)).toFixed(2)} s/M), ${p.m.peakRssMB.toFixed(0)} MB`,
        comparison: '-',
        ratio: null,
        target: 'timed',
        pass: null,
        notes: p.m.all.length > 1 ? `runs ${p.m.all.map((t) => t.toFixed(2)).join('/')} s` : undefined,
      });
    }
  }
  return out;
}

function claimRows(points: Point[], sizes: number[], stage: Stage, startup: Measured): BenchRow[] {
  const find = (events: number): Point => points.find((p) => p.stage === stage && p.events === events) ?? { events, stage, error: 'not run' };
  const small = find(sizes[0]!);
  const large = find(sizes[sizes.length - 1]!);
  const label = `${million(small.events)}→${million(large.events)}`;
  if (!small.m || !large.m) {
    const why = `${!small.m ? million(small.events) : million(large.events)} failed`;
    return [
      { row: `scaling ${stage}: linear time ${label}`, ours: 'error', comparison: '-', ratio: null, target: '<= 1.3x s/M', pass: false, notes: why },
      { row: `scaling ${stage}: flat memory ${label}`, ours: 'error', comparison: '-', ratio: null, target: '<= 1.5x RSS', pass: false, notes: why },
    ];
  }
  const perM = (p: Point) => p.m!.seconds / (p.events / 1e6);
  const timeRatio = perM(large) / perM(small);
  const rssRatio = large.m.peakRssMB / small.m.peakRssMB;
  // Marginal cost between consecutive sizes: start-up cancels out, so this shows linearity even at small sizes.
  const ok = points.filter((p) => p.stage === stage && p.m);
  const marginal = ok.slice(1).map((p, i) => `${million(ok[i]!.events)}→${million(p.events)} ${((p.m!.seconds - ok[i]!.m!.seconds) / ((p.events - ok[i]!.events) / 1e6)).toFixed(2)}`);
  return [
    {
      row: `scaling ${stage}: linear time ${label}`,
      ours: `${perM(large).toFixed(2)} s/M at ${million(large.events)}`,
      comparison: `${perM(small).toFixed(2)} s/M at ${million(small.events)}`,
      ratio: timeRatio,
      target: '<= 1.3x s/M',
      pass: timeRatio <= 1.3,
      notes: `marginal s/M ${marginal.join(', ')}; CLI start-up alone ${startup.seconds.toFixed(2)} s`,
    },
    {
      row: `scaling ${stage}: flat memory ${label}`,
      ours: `${large.m.peakRssMB.toFixed(0)} MB at ${million(large.events)}`,
      comparison: `${small.m.peakRssMB.toFixed(0)} MB at ${million(small.events)}`,
      ratio: rssRatio,
      target: '<= 1.5x RSS',
      pass: rssRatio <= 1.5,
      notes: `peak RSS per size ${ok.map((p) => `${million(p.events)} ${p.m!.peakRssMB.toFixed(0)} MB`).join(', ')}; CLI start-up alone ${startup.peakRssMB.toFixed(0)} MB`,
    },
  ];
}
