// Amplitude: `extract` (export zip -> raw, every gzip stream verified end to end and its events counted) and `unzip`
// (zip -> one NDJSON file per entry) side by side with the seed's Python procedure (bench/seed/amplitude_unzip.py),
// and with the raw limit of reading + inflating every entry without writing anything. Peak RSS of each.
// Full: a generated 2,000,000-event export; --quick: 50,000 events; unzip and extract also run once on an export with
// a quarter of the events (is peak RSS flat as the export grows?), and the real `eventlake extract amplitude` CLI once
// against the local Export API serving the export (download + land). The generated zips are cached between runs in
// $TMPDIR/eventlake-bench-cache/ (generation is not what is measured). The rows name the gzip codec that ran (src/codec:
// isal when its addon is built, EVENTLAKE_CODEC forces one); when that is isal, unzip and extract also run with
// EVENTLAKE_CODEC=zlib side by side.
// When run directly it is also the measured child process: `land <zip> <lakeDir>` | `inflate <zip>` | `copy <zip>`.
import { existsSync, mkdirSync, mkdtempSync, promises as fs, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { BenchOptions } from '../run.ts';
import { median, type BenchRow, type Measured } from '../lib/measure.ts';
import { spawn } from 'node:child_process';

const GEN_VERSION = 'v1';

export async function ensureExport(events: number): Promise<{ zip: string; bytes: number; ndjsonBytes: number; entries: number }> {
  const { writeAmplitudeHourlyFiles, writeExportZip } = await import('../../src/sources/amplitude/index.ts');
  const cache = join(tmpdir(), 'eventlake-bench-cache');
  mkdirSync(cache, { recursive: true });
  const zip = join(cache, `amplitude-${events}-${GEN_VERSION}.zip`);
  const metaFile = `${zip}.json`;
  if (!existsSync(zip) || !existsSync(metaFile)) {
    const dir = join(cache, `amplitude-${events}-${GEN_VERSION}-files`);
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`  generating a ${events}-event export (cached in ${cache})...\n`);
    const files = await writeAmplitudeHourlyFiles({ start: '2026-11-01T00', end: '2026-11-02T23', events, outDir: dir, eventsPerFile: 20_000, duplicates: Math.round(events / 1000), seed: 1 });
    await writeExportZip(files.map((f) => f.path), `${zip}.tmp`);
    let ndjsonBytes = 0;
    for (const f of files) {
      await pipeline((await import('node:fs')).createReadStream(f.path), createGunzip(), new Writable({ write: (c: Buffer, _e, cb) => ((ndjsonBytes += c.length), cb()) }));
    }
    await fs.rename(`${zip}.tmp`, zip);
    await fs.writeFile(metaFile, JSON.stringify({ entries: files.length, ndjsonBytes }));
    rmSync(dir, { recursive: true, force: true });
  }
  const meta = JSON.parse(await fs.readFile(metaFile, 'utf8')) as { entries: number; ndjsonBytes: number };
  return { zip, bytes: (await fs.stat(zip)).size, ...meta };
}

type Timed = Measured & { cpuSeconds: number };

/** Like measure() from bench/lib, plus user+sys CPU seconds: on a shared, loaded machine wall time is noisy,
 * CPU time says how much work each procedure really does. */
async function timed(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Timed> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cpu-'));
  const out = join(dir, 'time.txt');
  try {
    const started = process.hrtime.bigint();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const p = spawn('/usr/bin/time', ['-f', '%e %M %U %S', '-o', out, cmd, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let so = '';
      let se = '';
      p.stdout.on('data', (d) => (so += d));
      p.stderr.on('data', (d) => (se = (se + d).slice(-4000)));
      p.on('close', (c) => resolve({ code: c ?? 1, stdout: so, stderr: se }));
    });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr}`);
    const [, rssKb, user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop()!.trim().split(/\s+/);
    return { seconds: wall, peakRssMB: Number(rssKb) / 1024, cpuSeconds: Number(user) + Number(sys), stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function medianTimed(runs: number, prepare: () => void, run: () => Promise<Timed>): Promise<Timed> {
  const rs: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    prepare();
    rs.push(await run());
  }
  const mid = (xs: number[]) => median(xs);
  const pick = rs.find((r) => r.seconds === mid(rs.map((x) => x.seconds))) ?? rs[0]!;
  return { ...pick, seconds: mid(rs.map((r) => r.seconds)), cpuSeconds: mid(rs.map((r) => r.cpuSeconds)), peakRssMB: Math.max(...rs.map((r) => r.peakRssMB)) };
}

const fmt = (m: Timed) => `${m.seconds.toFixed(2)} s (cpu ${m.cpuSeconds.toFixed(1)} s), ${m.peakRssMB.toFixed(0)} MB`;

export async function rows(opts: BenchOptions): Promise<BenchRow[]> {
  const events = opts.quick ? 50_000 : 2_000_000;
  const runs = opts.quick ? 1 : 3;
  const exp = await ensureExport(events);
  const self = fileURLToPath(import.meta.url);
  const { codec } = await import('../../src/codec/index.ts');
  const codecName = codec().name; // what the children pick too (same environment)
  const node = (args: string[], env: NodeJS.ProcessEnv = {}) => timed(process.execPath, ['--import', 'tsx', ...args], { cwd: opts.repoRoot, env: { EVENTLAKE_LOG_LEVEL: 'warn', ...env } });
  const out = join(opts.workDir, 'out');
  const clean = () => rmSync(out, { recursive: true, force: true });

  const seed = await medianTimed(runs, clean, () => timed('python3', [join(opts.repoRoot, 'bench/seed/amplitude_unzip.py'), exp.zip, out]));
  const seedFiles = readdirSync(out).length;
  const unzip = await medianTimed(runs, clean, () => node(['src/cli/main.ts', 'unzip', exp.zip, '--out', out]));
  const unzipFiles = readdirSync(out).length;
  const extract = await medianTimed(runs, clean, () => node([self, 'land', exp.zip, out]));
  const landed = JSON.parse(extract.stdout) as { entries: number; events: number };
  // The same two with node:zlib (when the default codec is the native one): what the codec is worth.
  const zlibEnv = { EVENTLAKE_CODEC: 'zlib' };
  const unzipZlib = codecName === 'zlib' ? undefined : await medianTimed(runs, clean, () => node(['src/cli/main.ts', 'unzip', exp.zip, '--out', out], zlibEnv));
  const extractZlib = codecName === 'zlib' ? undefined : await medianTimed(runs, clean, () => node([self, 'land', exp.zip, out], zlibEnv));
  const inflate = await medianTimed(runs, () => {}, () => node([self, 'inflate', exp.zip]));
  const copy = await medianTimed(runs, () => {}, () => node([self, 'copy', exp.zip]));
  // The real `eventlake extract amplitude` (download from a local Export API + land, default window concurrency), once:
  // its peak RSS is the CLI's, not only the landing's.
  const { startAmplitudeDevServer } = await import('../../src/sources/amplitude/index.ts');
  const srv = await startAmplitudeDevServer({ data: exp.zip, apiKey: 'bench-key', secretKey: 'bench-secret' });
  // Once at the default window concurrency (2: window 2 downloads while window 1 lands) and once with --concurrency 1
  // (download and landing never overlap): the difference is what downloading during a landing costs.
  const extractCli = (extra: string[]) => {
    clean();
    return timed(process.execPath, [join(opts.repoRoot, 'bin/eventlake.js'), '--lake', out, 'extract', 'amplitude', '--start', '2026-11-01T00', '--end', '2026-11-02T23', ...extra], {
      cwd: opts.workDir,
      env: { EVENTLAKE_LOG_LEVEL: 'warn', AMPLITUDE_API_KEY: 'bench-key', AMPLITUDE_SECRET_KEY: 'bench-secret', EVENTLAKE_CFG__amplitude__baseUrl: JSON.stringify(srv.url) },
    });
  };
  let cli: Timed;
  let cliSeq: Timed;
  try {
    cli = await extractCli([]);
    cliSeq = await extractCli(['--concurrency', '1']);
  } finally {
    await srv.close();
  }
  for (const r of [cli, cliSeq]) {
    const cliFiles = Number(/(\d+) files/.exec(r.stdout)?.[1]);
    if (cliFiles !== exp.entries) throw new Error(`extract CLI landed ${cliFiles} of ${exp.entries} entries: ${r.stdout}`);
  }
  // Flat as the export grows: the same two commands once on an export with a quarter of the events.
  const smallExp = await ensureExport(events / 4);
  clean();
  const unzipSmall = await node(['src/cli/main.ts', 'unzip', smallExp.zip, '--out', out]);
  clean();
  const extractSmall = await node([self, 'land', smallExp.zip, out]);
  clean();
  if (unzipFiles !== seedFiles || landed.entries !== exp.entries) throw new Error(`output mismatch: seed ${seedFiles} files, unzip ${unzipFiles}, extract ${landed.entries} of ${exp.entries}`);

  const size = `${events.toLocaleString('en')} events, zip ${(exp.bytes / 1e6).toFixed(0)} MB, NDJSON ${(exp.ndjsonBytes / 1e9).toFixed(2)} GB, ${exp.entries} entries, ${availableParallelism()} CPUs`;
  const rssOk = (m: Timed) => m.peakRssMB < 200;
  const growth = Math.max(unzip.peakRssMB / unzipSmall.peakRssMB, extract.peakRssMB / extractSmall.peakRssMB);
  const codecNote = `codec ${codecName === 'isal' ? 'isal (ISA-L igzip, native)' : 'zlib (node:zlib)'}`;
  const codecRow = (what: string, ours: Timed, zlib: Timed): BenchRow => ({
    row: `amplitude ${what}: isal vs zlib codec`,
    ours: fmt(ours),
    comparison: `EVENTLAKE_CODEC=zlib ${fmt(zlib)}`,
    ratio: zlib.seconds / ours.seconds,
    target: 'info',
    pass: null,
    notes: `CPU-time ratio ${(zlib.cpuSeconds / ours.cpuSeconds).toFixed(2)}x; vs seed with zlib: ${(seed.seconds / zlib.seconds).toFixed(2)}x`,
  });
  const zlibRows: BenchRow[] = unzipZlib && extractZlib ? [codecRow('extract', extract, extractZlib), codecRow('unzip', unzip, unzipZlib)] : [];
  return [
    {
      row: 'amplitude extract zip->raw vs seed',
      ours: fmt(extract),
      comparison: `seed ${fmt(seed)}`,
      ratio: seed.seconds / extract.seconds,
      target: '>= 2.0x faster, < 200 MB',
      pass: seed.seconds / extract.seconds >= 2 && rssOk(extract),
      notes: `${size}; ${codecNote}; verifies every gzip stream, counts ${landed.events} events; CPU-time ratio ${(seed.cpuSeconds / extract.cpuSeconds).toFixed(2)}x`,
    },
    {
      row: 'amplitude unzip vs seed',
      ours: fmt(unzip),
      comparison: `seed ${fmt(seed)}`,
      ratio: seed.seconds / unzip.seconds,
      target: '>= 1.5x faster, < 200 MB',
      pass: seed.seconds / unzip.seconds >= 1.5 && rssOk(unzip),
      notes: `${codecNote}; CPU-time ratio ${(seed.cpuSeconds / unzip.cpuSeconds).toFixed(2)}x; run as users run it (\`node --import tsx src/cli/main.ts unzip\`, the npm script), config loaded, inflating in a worker thread`,
    },
    {
      row: 'amplitude extract CLI (download + land) peak RSS',
      ours: fmt(cli),
      comparison: `--concurrency 1 ${fmt(cliSeq)}; landing alone (the first row) ${extract.peakRssMB.toFixed(0)} MB`,
      ratio: cli.peakRssMB / extract.peakRssMB,
      target: '< 200 MB',
      pass: rssOk(cli) && rssOk(cliSeq),
      notes: `\`eventlake extract amplitude --start 2026-11-01T00 --end 2026-11-02T23\` against the local Export API serving the same export (24 h windows, amplitude.concurrency 2; the server runs in the bench process; downloads with node:http + pipeline, a young GC every 4 MiB)`,
    },
    {
      row: 'amplitude peak RSS as the export grows 4x',
      ours: `${events.toLocaleString('en')} events: unzip ${unzip.peakRssMB.toFixed(0)} MB, extract ${extract.peakRssMB.toFixed(0)} MB`,
      comparison: `${(events / 4).toLocaleString('en')} events: unzip ${unzipSmall.peakRssMB.toFixed(0)} MB, extract ${extractSmall.peakRssMB.toFixed(0)} MB`,
      ratio: growth,
      target: '< 200 MB at both sizes, <= 1.25x for 4x the events',
      pass: growth <= 1.25 && [unzip, extract, unzipSmall, extractSmall].every(rssOk),
      notes: `ratio = the larger of the two peak-RSS growths; zip ${(smallExp.bytes / 1e6).toFixed(0)} MB -> ${(exp.bytes / 1e6).toFixed(0)} MB, NDJSON ${(smallExp.ndjsonBytes / 1e9).toFixed(2)} GB -> ${(exp.ndjsonBytes / 1e9).toFixed(2)} GB`,
    },
    {
      row: 'amplitude extract vs inflate limit',
      ours: fmt(extract),
      comparison: `read+inflate all entries, no writes ${fmt(inflate)}`,
      ratio: inflate.seconds / extract.seconds,
      target: 'info (1.0x = at the limit)',
      pass: null,
      notes: `copying the gz bytes out of the zip alone: ${fmt(copy)}; ${codecNote}`,
    },
    ...zlibRows,
  ];
}

// ---- child-process mode: the measured work ----
async function child(cmd: string, zip: string, dir?: string): Promise<void> {
  const par = Math.max(2, availableParallelism());
  if (cmd === 'land') {
    // As `eventlake extract amplitude` does it: config (zod) loaded, the zip landed in this thread into local storage.
    const { amplitudeSchema } = await import('../../src/config/sections/amplitude.ts');
    const { landExportZip } = await import('../../src/sources/amplitude/land.ts');
    const { LocalStorage } = await import('../../src/storage/local/local-storage.ts');
    const { DEFAULT_PREFIXES, LakeLayout } = await import('../../src/lake/layout.ts');
    const r = await landExportZip(zip, { step: 'bench', limits: amplitudeSchema.parse({}), entryConcurrency: par, storage: new LocalStorage({ root: dir! }), layout: new LakeLayout(DEFAULT_PREFIXES) });
    process.stdout.write(JSON.stringify({ entries: r.entries.length, events: r.events, bytes: r.bytes }));
    return;
  }
  // The limits: nothing but reading (and inflating) every entry, in this thread, zod never loaded.
  const { ExportZip } = await import('../../src/sources/amplitude/zip-entries.ts');
  const { mapLimit } = await import('../../src/core/retry.ts');
  const { codec } = await import('../../src/codec/index.ts');
  const limits = { maxEntries: 1e6, maxEntryBytes: 1e11, maxTotalUncompressedBytes: 1e13, maxCompressionRatio: 1e4 };
  const z = await ExportZip.open(zip, { step: 'bench', limits });
  let total = 0;
  await mapLimit(z.entries, par, async (ce) => {
    const src = await z.openStream(ce);
    const sink = new Writable({ write: (c: Buffer, _e, cb) => ((total += c.length), cb()) });
    if (cmd === 'inflate') await pipeline(src, codec().createGunzip({ chunkSize: 1024 * 1024 }), sink);
    else await pipeline(src, sink);
  });
  z.close();
  process.stdout.write(JSON.stringify({ bytes: total }));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  await child(process.argv[2], process.argv[3]!, process.argv[4]);
}
