// `npm run bench [-- --quick] [-- --only <name>,<name>] [-- --timeout <s>] [-- --out <file>]`: runs every
// bench/rows/*.ts module side by side in one run and prints one table of ratios (ours vs the comparison), then writes
// bench/results.json (--quick: bench/results.quick.json; --out: that file instead).
// --timeout: seconds per row module (default: none; 300 with --quick); a module over it becomes an 'error' row and
// its measured child processes are stopped.
// A row module exports `rows(opts: BenchOptions): Promise<BenchRow[]>`; it generates its own data under opts.workDir.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { killMeasuredChildren, printTable, type BenchRow } from './lib/measure.ts';

export interface BenchOptions {
  /** Small sizes, one run each: a smoke test so the bench code cannot rot. */
  quick: boolean;
  /** Scratch folder owned by this row module (deleted afterwards). */
  workDir: string;
  /** Repository root (to spawn `node --import tsx src/cli/main.ts ...`). */
  repoRoot: string;
  /** Aborted when the module runs over --timeout: stop starting new work (its running children are killed). */
  signal?: AbortSignal;
}

export type RowsFn = (opts: BenchOptions) => Promise<BenchRow[]>;

const here = dirname(fileURLToPath(import.meta.url));

export async function runBench(argv: string[]): Promise<{ rows: BenchRow[]; failed: string[] }> {
  const quick = argv.includes('--quick');
  const onlyIdx = argv.indexOf('--only');
  const only = onlyIdx >= 0 ? argv[onlyIdx + 1]?.split(',') : undefined;
  const timeoutIdx = argv.indexOf('--timeout');
  const timeoutS = timeoutIdx >= 0 ? Number(argv[timeoutIdx + 1]) : quick ? 300 : 0;
  if (!Number.isFinite(timeoutS) || timeoutS < 0) throw new Error(`--timeout needs seconds, got ${argv[timeoutIdx + 1]}`);
  const files = readdirSync(join(here, 'rows')).filter((f) => f.endsWith('.ts')).sort();
  const rows: BenchRow[] = [];
  const failed: string[] = [];
  for (const f of files) {
    const name = f.replace(/\.ts$/, '');
    if (only && !only.includes(name)) continue;
    const workDir = join(tmpdir(), `eventlake-bench-${name}-${process.pid}`);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    process.stderr.write(`bench: ${name}${quick ? ' (quick)' : ''}...\n`);
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const abort = new AbortController();
    try {
      const mod = (await import(pathToFileURL(join(here, 'rows', f)).href)) as { rows?: RowsFn };
      if (!mod.rows) throw new Error(`bench/rows/${f} exports no rows()`);
      const work = mod.rows({ quick, workDir, repoRoot: join(here, '..'), signal: abort.signal });
      const limit = new Promise<never>((_, reject) => {
        if (timeoutS > 0) timer = setTimeout(() => reject(new Error(`timed out after ${timeoutS} s (--timeout)`)), timeoutS * 1000);
      });
      rows.push(...(await Promise.race([work, limit])));
    } catch (err) {
      abort.abort();
      killMeasuredChildren();
      failed.push(name);
      rows.push({ row: name, ours: 'error', comparison: '-', ratio: null, target: '-', pass: false, notes: (err as Error).message.slice(0, 300) });
    } finally {
      clearTimeout(timer);
      rmSync(workDir, { recursive: true, force: true });
      process.stderr.write(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }
  }
  return { rows, failed };
}

/** One line under the table: how many claims pass, fail, or are figures only. */
export function summaryLine(rows: BenchRow[], failed: string[]): string {
  const pass = rows.filter((r) => r.pass === true).length;
  const fail = rows.filter((r) => r.pass === false).length;
  const info = rows.filter((r) => r.pass === null).length;
  return `${rows.length} rows: ${pass} pass, ${fail} fail, ${info} timed/info` + (failed.length ? `; row modules that errored: ${failed.join(', ')}` : '');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Measured children run in their own process groups: stop them too when the bench is interrupted.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      killMeasuredChildren();
      process.exit(130);
    });
  }
  const argv = process.argv.slice(2);
  const { rows, failed } = await runBench(argv);
  console.log(printTable(rows));
  for (const r of rows.filter((r) => r.notes)) console.log(`- ${r.row}: ${r.notes}`);
  console.log(`\n${summaryLine(rows, failed)}`);
  const outIdx = argv.indexOf('--out');
  const out = outIdx >= 0 ? argv[outIdx + 1]! : join(here, argv.includes('--quick') ? 'results.quick.json' : 'results.json');
  writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), quick: argv.includes('--quick'), rows }, null, 2) + '\n');
  console.log(`\nwrote ${out}`);
  process.exit(failed.length ? 1 : 0);
}
