// GH Archive backfill from 127.0.0.1 (download + sha256 + full gzip verification + line count + landing + manifests)
// vs `zcat <files> | wc -l` on the same files in the same run: the decompress-and-count floor.
// Target (issue 4): at least 0.8x of that limit's throughput.
// Ours is timed in-process (extractGhArchive) so the ~1-3 s CLI/tsx start-up is not counted; it is reported separately.
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { BenchOptions } from '../run.ts';
import { measure, median, type BenchRow } from '../lib/measure.ts';
import { buildContext } from '../../src/cli/context.ts';
import { extractGhArchive } from '../../src/sources/github/gharchive.ts';
import { startGithubDevServers } from '../../src/sources/github/dev-servers.ts';
import { writeGharchiveSample } from '../../src/sources/github/generate.ts';
import { formatHour } from '../../src/lake/hours.ts';

export async function rows(opts: BenchOptions): Promise<BenchRow[]> {
  const hours = opts.quick ? 2 : 6;
  const perHour = opts.quick ? 15_000 : 120_000;
  const runs = opts.quick ? 1 : 3;
  const start = Date.UTC(2026, 10, 1, 0);
  const dataDir = join(opts.workDir, 'data');
  const names = await writeGharchiveSample({ dir: dataDir, startHourMs: start, hours, perHour, seed: 5, duplicatesPerHour: 3 });
  const files = names.map((n) => join(dataDir, n));
  const gzBytes = files.reduce((s, f) => s + statSync(f).size, 0);

  const floor: number[] = [];
  let zcatLines = 0;
  for (let i = 0; i < runs; i++) {
    const m = await measure('zcat', [...files, '|', 'wc', '-l'], { shell: true });
    floor.push(m.seconds);
    zcatLines = Number(m.stdout.trim());
  }

  const srv = await startGithubDevServers({ dataDir });
  const ours: number[] = [];
  let lines = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const lake = join(opts.workDir, `lake-${i}`);
      const ctx = await buildContext({ lake }, { lake: { tmpDir: join(opts.workDir, 'tmp') }, github: { gharchive: { baseUrl: srv.gharchiveUrl } } });
      const t0 = performance.now();
      const r = await extractGhArchive(ctx, { start: formatHour(start), end: formatHour(start + (hours - 1) * 3_600_000), quiet: true });
      ours.push((performance.now() - t0) / 1000);
      if (r.landed !== hours) throw new Error(`backfill landed ${r.landed} of ${hours} hours (failed: ${r.failed.join(', ')})`);
      lines = r.lines;
      await rm(lake, { recursive: true, force: true });
    }
  } finally {
    await srv.close();
  }
  if (lines !== zcatLines) throw new Error(`line counts differ: ours ${lines}, zcat | wc -l ${zcatLines}`);

  const cliStart = await measure(process.execPath, ['--import', 'tsx', join(opts.repoRoot, 'src/cli/main.ts'), 'extract', 'gharchive', '--help'], { cwd: opts.repoRoot });
  const oursS = median(ours);
  const floorS = median(floor);
  const mb = gzBytes / 1e6;
  const ratio = floorS / oursS; // throughput ratio: >1 means faster than the zcat | wc -l floor
  return [
    {
      row: 'gharchive backfill (127.0.0.1)',
      ours: `${(mb / oursS).toFixed(1)} MB/s, ${Math.round(lines / oursS).toLocaleString('en-US')} ev/s`,
      comparison: `zcat|wc -l ${(mb / floorS).toFixed(1)} MB/s, ${Math.round(zcatLines / floorS).toLocaleString('en-US')} ev/s`,
      ratio: Number(ratio.toFixed(2)),
      target: '>= 0.8x of zcat | wc -l',
      pass: ratio >= 0.8,
      notes:
        `${hours} hours x ${perHour.toLocaleString('en-US')} events, ${mb.toFixed(1)} MB gzip; median of ${runs}: ours ${oursS.toFixed(2)} s (download, sha256, gzip verify, ` +
        `line count, land, manifests; default concurrency), zcat ${floorS.toFixed(2)} s; CLI start-up ${cliStart.seconds.toFixed(1)} s not included`,
    },
  ];
}
