// `npm run bench [-- --quick] [-- --only <name>]`: runs every bench/rows/*.ts module side by side in one run and
// prints one table of ratios (ours vs the comparison), then writes bench/results.json.
// A row module exports `rows(opts: BenchOptions): Promise<BenchRow[]>`; it generates its own data under opts.workDir.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { printTable, type BenchRow } from './lib/measure.ts';

export interface BenchOptions {
  /** Small sizes, one run each: a smoke test so the bench code cannot rot. */
  quick: boolean;
  /** Scratch folder owned by this row module (deleted afterwards). */
  workDir: string;
  /** Repository root (to spawn `node --import tsx src/cli/main.ts ...`). */
  repoRoot: string;
}

export type RowsFn = (opts: BenchOptions) => Promise<BenchRow[]>;

const here = dirname(fileURLToPath(import.meta.url));

export async function runBench(argv: string[]): Promise<{ rows: BenchRow[]; failed: string[] }> {
  const quick = argv.includes('--quick');
  const onlyIdx = argv.indexOf('--only');
  const only = onlyIdx >= 0 ? argv[onlyIdx + 1]?.split(',') : undefined;
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
    try {
      const mod = (await import(pathToFileURL(join(here, 'rows', f)).href)) as { rows?: RowsFn };
      if (!mod.rows) throw new Error(`bench/rows/${f} exports no rows()`);
      rows.push(...(await mod.rows({ quick, workDir, repoRoot: join(here, '..') })));
    } catch (err) {
      failed.push(name);
      rows.push({ row: name, ours: 'error', comparison: '-', ratio: null, target: '-', pass: false, notes: (err as Error).message.slice(0, 300) });
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  return { rows, failed };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const { rows, failed } = await runBench(argv);
  console.log(printTable(rows));
  for (const r of rows.filter((r) => r.notes)) console.log(`- ${r.row}: ${r.notes}`);
  const out = join(here, argv.includes('--quick') ? 'results.quick.json' : 'results.json');
  writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), quick: argv.includes('--quick'), rows }, null, 2) + '\n');
  console.log(`\nwrote ${out}`);
  process.exit(failed.length ? 1 : 0);
}
