// CPU cost of the JS gzip paths on GitHub raw hours, ISA-L igzip (src/codec/isal) vs node:zlib, same files, same run,
// interleaved. CPU seconds (user+sys of the whole process: every DuckDB, libuv and main thread), not wall time: the
// machine's cores are shared, so wall time is noisy. Each child reports the CPU of its work only (start-up excluded).
//   verify – GH Archive landing check (src/sources/github/ndjson-gzip.ts: full gunzip + line count)
//   split  – GitHub silver's JS pass (src/models/github/lines.ts: gunzip + number lines), alone
//   silver – GitHub silver as a whole (model.buildCleaned: split + DuckDB parse/dedup/Parquet)
// Without the native addon there is nothing to compare: the row says so.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from '../run.ts';
import { measure, median, type BenchRow } from '../lib/measure.ts';
import { writeGharchiveSample } from '../../src/sources/github/generate.ts';
import { availableCodecs } from '../../src/codec/index.ts';

type Mode = 'verify' | 'split' | 'silver';
const MODES: Mode[] = ['verify', 'split', 'silver'];

function childScript(repoRoot: string): string {
  return `
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codec } from '${repoRoot}/src/codec/index.ts';
import { GzipNdjsonVerifier } from '${repoRoot}/src/sources/github/ndjson-gzip.ts';
import { splitRawFile } from '${repoRoot}/src/models/github/lines.ts';
import { model } from '${repoRoot}/src/models/github/index.ts';
import { DuckDbEngine } from '${repoRoot}/src/engines/duckdb/duckdb-engine.ts';
const [mode, ...files] = process.argv.slice(2);
const work = await mkdtemp(join(tmpdir(), 'gh-codec-'));
const engine = mode === 'silver' ? await DuckDbEngine.open({ memoryLimit: '1GB', tempDirectory: join(work, 'spill') }) : undefined;
const c0 = process.cpuUsage();
let lines = 0;
if (mode === 'verify') {
  for (const f of files) {
    const v = new GzipNdjsonVerifier();
    for await (const chunk of createReadStream(f, { highWaterMark: 1 << 20 })) await v.write(chunk);
    lines += (await v.end()).lines;
  }
} else if (mode === 'split') {
  for (let i = 0; i < files.length; i++) {
    const r = await splitRawFile(files[i], i, join(work, 'lines.txt'), join(work, 'rejects.ndjson'), files[i]);
    lines += r.written;
  }
} else {
  const r = await model.buildCleaned({ engine, dt: '2026-11-01', rawFiles: files, stagingDir: join(work, 'staging'), codec: 'zstd', quarantineFile: join(work, 'q.ndjson') });
  lines = r.inputRecords;
}
const cpu = process.cpuUsage(c0);
await engine?.close();
await rm(work, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ codec: codec().name, lines, cpuS: (cpu.user + cpu.system) / 1e6 }));
`;
}

export async function rows(opts: BenchOptions): Promise<BenchRow[]> {
  const names = availableCodecs().map((c) => c.name);
  if (!names.includes('isal')) {
    return [{ row: 'github gzip paths: igzip vs zlib', ours: 'error', comparison: '-', ratio: null, target: '-', pass: false, notes: 'native/igzip is not built (npm run build:native): nothing to compare' }];
  }
  const hours = opts.quick ? 2 : 4;
  const perHour = opts.quick ? 15_000 : 100_000;
  const runs = opts.quick ? 1 : 3;
  const dataDir = join(opts.workDir, 'data');
  const files = (await writeGharchiveSample({ dir: dataDir, startHourMs: Date.UTC(2026, 10, 1, 0), hours, perHour, seed: 7 })).map((n) => join(dataDir, n));
  const script = join(opts.workDir, 'child.mts');
  writeFileSync(script, childScript(opts.repoRoot));

  const out: BenchRow[] = [];
  for (const mode of MODES) {
    const cpu: Record<'isal' | 'zlib', number[]> = { isal: [], zlib: [] };
    const rss: Record<'isal' | 'zlib', number> = { isal: 0, zlib: 0 };
    const lines = new Set<number>();
    for (let r = 0; r < runs; r++) {
      for (const c of ['isal', 'zlib'] as const) {
        if (opts.signal?.aborted) throw new Error('aborted');
        const m = await measure(process.execPath, ['--import', 'tsx', script, mode, ...files], { cwd: opts.repoRoot, env: { EVENTLAKE_CODEC: c, EVENTLAKE_LOG_LEVEL: 'warn' } });
        const res = JSON.parse(m.stdout) as { codec: string; lines: number; cpuS: number };
        if (res.codec !== c) throw new Error(`asked for ${c}, child used ${res.codec}`);
        cpu[c].push(res.cpuS);
        rss[c] = Math.max(rss[c], m.peakRssMB);
        lines.add(res.lines);
      }
    }
    if (lines.size !== 1) throw new Error(`${mode}: codecs disagree on the line count (${[...lines].join(' vs ')})`);
    const isal = median(cpu.isal);
    const zlib = median(cpu.zlib);
    out.push({
      row: `github ${mode}: CPU s, igzip vs zlib`,
      ours: `${isal.toFixed(2)} CPU s, ${rss.isal.toFixed(0)} MB`,
      comparison: `zlib ${zlib.toFixed(2)} CPU s, ${rss.zlib.toFixed(0)} MB`,
      ratio: zlib / isal,
      target: 'info (>1: igzip uses less CPU)',
      pass: null,
      notes: `${hours} hours x ${perHour.toLocaleString('en-US')} events (${[...lines][0]} lines); median of ${runs}, user+sys of the work only; runs isal ${cpu.isal.map((x) => x.toFixed(2)).join('/')} zlib ${cpu.zlib.map((x) => x.toFixed(2)).join('/')}`,
    });
  }
  return out;
}
