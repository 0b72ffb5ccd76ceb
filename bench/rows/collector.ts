// Collector throughput: events/s and p99 ack latency with durable acks (WAL + group fsync, GitHub transform, gzip
// delivery to the lake) vs a bare node:http server that only appends request bodies to a file (no fsync, no parsing):
// the limit of this machine for HTTP ingest. Both are child processes; load comes from a third process on loopback
// (keep-alive connections, PutRecordBatch of 500 real GitHub events, ~1.8 KB each).
// "sustained" = events acked during the load / (load time + time to deliver the rest on graceful stop).
// Child roles: `--bare <file>` (the bare server), `--load <url> <seconds> <concurrency> <key> <repoRoot>` (load generator).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { gunzipSync } from 'node:zlib';
import type { BenchOptions } from '../run.ts';
import { percentile, type BenchRow } from '../lib/measure.ts';
import { codec } from '../../src/codec/index.ts';
import { githubEventScanner, isNormalGithubEventJs } from '../../src/collector/github-event-scan.ts';
import { nativeIsNormalGithubEvent, nativeScanProblem } from '../../src/collector/native-scan.ts';
import { decodeBatchEntry, decodeSpansWithNode, type SpanDecoder } from '../../src/collector/batch-entry.ts';
import { scanBatchBody } from '../../src/collector/batch-body.ts';
import { BufferPool } from '../../src/collector/buffer-pool.ts';
import { nativeBase64Problem, nativeDecodeSpans } from '../../src/collector/native-base64.ts';

const self = fileURLToPath(import.meta.url);
const BATCH = 500;
const KEY = 'elk_bench-producer-key-000000000000';

function fixtureLines(repoRoot: string): string[] {
  return gunzipSync(readFileSync(join(repoRoot, 'test/fixtures/github-events-2013.json.gz'))).toString('utf8').trim().split('\n');
}

/** One PutRecordBatch body; ids differ per record so the lake holds distinct events. */
function batchBody(lines: string[], salt: number): string {
  const recs = [];
  for (let i = 0; i < BATCH; i++) {
    const ev = JSON.parse(lines[i % lines.length]!) as Record<string, unknown>;
    ev.id = String(salt * BATCH + i + 1);
    recs.push({ Data: Buffer.from(JSON.stringify(ev)).toString('base64') });
  }
  return JSON.stringify({ DeliveryStreamName: 'github', Records: recs });
}

// ---- child: bare append-only server -------------------------------------------------------------------------
function bareServer(file: string): void {
  const out = createWriteStream(file, { flags: 'a' });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      out.write(Buffer.concat(chunks), () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"FailedPutCount":0}');
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    process.stdout.write(`listening on http://127.0.0.1:${a.port}\n`);
  });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => out.end(() => process.exit(0)));
  });
}

// ---- child: load generator -----------------------------------------------------------------------------------
async function loadGen(url: string, seconds: number, concurrency: number, key: string, repoRoot: string): Promise<void> {
  const lines = fixtureLines(repoRoot);
  const bodies = Array.from({ length: 8 }, (_, i) => Buffer.from(batchBody(lines, i)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const u = new URL(`${url}/firehose/PutRecordBatch`);
  const lat: number[] = [];
  let events = 0;
  let throttled = 0;
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  const one = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${key}` } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      let n = w;
      while (Date.now() < end) {
        const t0 = process.hrtime.bigint();
        try {
          const r = await one(bodies[n++ % bodies.length]!);
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          if (r.status === 200 && (JSON.parse(r.text) as { FailedPutCount: number }).FailedPutCount === 0) {
            events += BATCH;
            lat.push(ms);
          } else if (r.status === 429) {
            throttled++;
            await new Promise((res) => setTimeout(res, 50)); // a real producer would honour Retry-After; keep pressure on
          } else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const secs = (Date.now() - started) / 1000;
  agent.destroy();
  process.stdout.write(JSON.stringify({ events, seconds: secs, p50: lat.length ? percentile(lat, 50) : null, p99: lat.length ? percentile(lat, 99) : null, throttled, errors }) + '\n');
}

// ---- parent ---------------------------------------------------------------------------------------------------
async function startServer(cmd: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, cmd, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-3000)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
}

function rssMB(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** CPU seconds (user + system, all threads) the process has used so far; undefined once it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/** Waits for a child to exit while sampling its CPU time: the last sample (≤ 50 ms before exit) is returned. */
async function exitWithCpu(child: ChildProcess): Promise<{ code: number | null; cpu: number }> {
  let cpu = cpuSeconds(child.pid!) ?? 0;
  const timer = setInterval(() => (cpu = cpuSeconds(child.pid!) ?? cpu), 50);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(timer);
  return { code, cpu };
}

interface LoadResult {
  events: number;
  seconds: number;
  p50: number | null;
  p99: number | null;
  throttled: number;
  errors: number;
}

async function runLoad(repoRoot: string, url: string, seconds: number, concurrency: number, serverPid: number): Promise<LoadResult & { rss: number[] }> {
  const p = spawn(process.execPath, ['--import', 'tsx', self, '--load', url, String(seconds), String(concurrency), KEY, repoRoot], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  const rss: number[] = [];
  const timer = setInterval(() => rss.push(rssMB(serverPid).rss), 500);
  const [code] = await once(p, 'exit');
  clearInterval(timer);
  if (code !== 0) throw new Error(`load generator exited ${code}`);
  return { ...(JSON.parse(out.trim().split('\n').pop()!) as LoadResult), rss };
}

interface Round {
  bareRate: number;
  bareP50: number | null;
  bareP99: number | null;
  bareHwm: number;
  acked: number;
  ackRate: number;
  sustained: number;
  drain: number;
  p50: number | null;
  p99: number | null;
  hwm: number;
  rssThird: number;
  rssEnd: number;
  throttled: number;
  errors: number;
  /** Server CPU µs (user + system, all threads) per acked event: collector over load + drain, bare over its load. */
  cpuUs: number;
  bareCpuUs: number;
  /** Events found in the lake after the graceful stop (must cover every acked one). */
  landed: number;
}

/** One side-by-side round: the bare server, then the collector, under the same load from a third process. */
async function round(opts: BenchOptions, i: number, seconds: number, concurrency: number): Promise<Round> {
  const { workDir, repoRoot } = opts;
  // The bare server leaves gigabytes of unsynced page cache behind: delete and sync before the collector runs, or
  // the kernel's writeback competes with the collector's fsyncs. Odd rounds run the collector first.
  const runBare = async () => {
    const bare = await startServer(['--import', 'tsx', self, '--bare', join(workDir, `bare-${i}.log`)], repoRoot, {});
    const cpu0 = cpuSeconds(bare.child.pid!) ?? 0;
    const b = await runLoad(repoRoot, bare.url, seconds, concurrency, bare.child.pid!);
    const mem = rssMB(bare.child.pid!);
    bare.child.kill('SIGTERM');
    const { cpu } = await exitWithCpu(bare.child);
    const cpuUs = ((cpu - cpu0) * 1e6) / Math.max(1, b.events);
    rmSync(join(workDir, `bare-${i}.log`), { force: true });
    spawnSync('sync');
    return { b, mem, cpuUs };
  };
  // the collector: durable acks, GitHub transform, gzip delivery
  const runCollector = async () => {
    const config = join(workDir, `eventlake-${i}.config.yaml`);
    writeFileSync(config, `lake:\n  root: ${join(workDir, `lake-${i}`)}\ncollector:\n  bufferSizeMiB: 64\n  bufferIntervalSeconds: 60\n  gzipLevel: 1\n  maxWalBytes: ${1024 * 1024 * 1024}\n`);
    const col = await startServer(['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--plugins', 'collector'], repoRoot, {
      EVENTLAKE_CONFIG: config,
      EVENTLAKE_COLLECTOR_KEY__BENCH: KEY,
      EVENTLAKE_LOG_LEVEL: 'warn',
    });
    const cpu0 = cpuSeconds(col.child.pid!) ?? 0; // after start-up
    const c = await runLoad(repoRoot, col.url, seconds, concurrency, col.child.pid!);
    const mem = rssMB(col.child.pid!);
    const t0 = Date.now();
    col.child.kill('SIGTERM'); // graceful: delivers everything still buffered
    const { code, cpu } = await exitWithCpu(col.child);
    // CPU per acked event over load + drain (steadier than events/s when other processes share the cores)
    const cpuUs = ((cpu - cpu0) * 1e6) / Math.max(1, c.events);
    const drain = (Date.now() - t0) / 1000;
    if (code !== 0) throw new Error(`collector exited ${code} on SIGTERM`);
    const landed = landedLines(join(workDir, `lake-${i}`));
    rmSync(join(workDir, `lake-${i}`), { recursive: true, force: true });
    rmSync(join(workDir, '.eventlake-wal'), { recursive: true, force: true });
    spawnSync('sync');
    return { c, mem, drain, cpuUs, landed };
  };
  let bare: Awaited<ReturnType<typeof runBare>>;
  let col: Awaited<ReturnType<typeof runCollector>>;
  if (i % 2 === 0) {
    bare = await runBare();
    col = await runCollector();
  } else {
    col = await runCollector();
    bare = await runBare();
  }
  const { b, mem: bareMem } = bare;
  const { c, mem, drain, landed } = col;
  const cpuUs = col.cpuUs;
  const bareCpuUs = bare.cpuUs;
  const third = c.rss.length >= 3 ? c.rss[Math.floor(c.rss.length / 3)]! : (c.rss[0] ?? mem.rss);
  return {
    bareRate: b.events / b.seconds,
    bareP50: b.p50,
    bareP99: b.p99,
    bareHwm: bareMem.hwm,
    acked: c.events,
    ackRate: c.events / c.seconds,
    sustained: c.events / (c.seconds + drain),
    drain,
    p50: c.p50,
    p99: c.p99,
    hwm: mem.hwm,
    rssThird: third,
    rssEnd: mem.rss,
    throttled: c.throttled,
    errors: c.errors,
    cpuUs,
    bareCpuUs,
    landed,
  };
}

/** Lines in every delivered raw file of a lake (the events that landed). */
function landedLines(lake: string): number {
  let lines = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json.gz')) {
        const text = codec().gunzipSync(readFileSync(p)); // the native codec when built: seconds, not a minute, per round
        for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) lines++;
      }
    }
  };
  walk(join(lake, 'raw'));
  return lines;
}

/** Best of 5 passes of `run` (which does `units` units of work) in process CPU µs per unit. */
function bestCpuUs(units: number, run: () => void): number {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    run();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / units);
  }
  return best;
}

/** CPU µs per call of a GitHub event scanner over the real events (process CPU time, best of 5 passes). */
function scanCpuUs(scan: (b: Uint8Array) => boolean, events: Buffer[], passes: number): number {
  return bestCpuUs(passes * events.length, () => {
    for (let i = 0; i < passes; i++) for (const b of events) if (!scan(b)) throw new Error('scanner bench: a real event was not scanned as normal');
  });
}

/** The default transform's byte scanner, native (native/event-scan) vs JS, on the real events the load sends. */
function scannerRow(opts: BenchOptions): BenchRow {
  const events = fixtureLines(opts.repoRoot).map((l) => Buffer.from(l));
  const passes = opts.quick ? 200 : 1000;
  const js = scanCpuUs(isNormalGithubEventJs, events, passes);
  const nat = nativeIsNormalGithubEvent ? scanCpuUs(nativeIsNormalGithubEvent, events, passes) : undefined;
  const bytes = events.reduce((a, b) => a + b.length, 0) / events.length;
  return {
    row: 'collector: GitHub event scan CPU per event (native vs JS)',
    ours: nat === undefined ? 'not in use' : `${nat.toFixed(2)} µs`,
    comparison: `${js.toFixed(2)} µs JS`,
    ratio: nat === undefined ? null : nat / js,
    target: 'reported (native used when built)',
    pass: null,
    notes:
      `isNormalGithubEvent on ${events.length} real GH Archive events (${Math.round(bytes)} B avg) x ${passes}, CPU time per call, best of 5, same process. ` +
      (nat === undefined ? `native scanner not in use: ${nativeScanProblem}` : 'native = native/event-scan (C, N-API call included)'),
  };
}

/** CPU µs per event to decode a PutRecordBatch body into its WAL entry (process CPU time, best of 5 passes). */
function decodeCpuUs(decode: SpanDecoder, body: Buffer, passes: number): number {
  const scan = scanBatchBody(body)!;
  const pool = new BufferPool(4); // as the server does: a fresh megabyte per body would measure page faults
  return bestCpuUs(passes * BATCH, () => {
    for (let i = 0; i < passes; i++) {
      const d = decodeBatchEntry(body, scan, 0, 1000 * 1024, pool, decode);
      if (d.count !== BATCH) throw new Error('decode bench: a record failed');
      pool.give(d.backing);
    }
  });
}

/** The ack path's base64 decoding, native/base64 vs Node's decoder through strings, on the body the load sends. */
function base64Row(opts: BenchOptions): BenchRow {
  const body = Buffer.from(batchBody(fixtureLines(opts.repoRoot), 0));
  const passes = opts.quick ? 100 : 400;
  const node = decodeCpuUs(decodeSpansWithNode, body, passes);
  const nat = nativeDecodeSpans ? decodeCpuUs(nativeDecodeSpans, body, passes) : undefined;
  return {
    row: 'collector: PutRecordBatch decode CPU per event (native base64 vs Node)',
    ours: nat === undefined ? 'not in use' : `${nat.toFixed(2)} µs`,
    comparison: `${node.toFixed(2)} µs Node`,
    ratio: nat === undefined ? null : nat / node,
    target: 'reported (native used when built, on AVX2)',
    pass: null,
    notes:
      `decodeBatchEntry of one ${BATCH}-record body (${(body.length / 1e6).toFixed(2)} MB, real events) into a WAL entry with CRC, x ${passes}, CPU time per event, best of 5, same process. ` +
      (nat === undefined ? `native decoder not in use: ${nativeBase64Problem}` : 'native = native/base64 (AVX2, one N-API call per body)'),
  };
}

export async function rows(opts: BenchOptions): Promise<BenchRow[]> {
  const scan = scannerRow(opts);
  const decode = base64Row(opts);
  const seconds = opts.quick ? 3 : 15;
  const rounds = opts.quick ? 1 : 3;
  const concurrency = 8;
  const all: Round[] = [];
  for (let i = 0; i < rounds; i++) all.push(await round(opts, i, seconds, concurrency));
  // The box may be shared: each round compares the two servers under the same conditions; report the median round
  // (by sustained/bare ratio) and every round's figures.
  const byRatio = [...all].sort((x, y) => x.sustained / x.bareRate - y.sustained / y.bareRate);
  const r = byRatio[Math.floor(byRatio.length / 2)]!;
  const k = (x: number) => `${Math.round(x / 1000)}k ev/s`;
  // The server child resolves its codec and scanner the same way (same environment, same addons): say which ran.
  const codecName = codec().name;
  const scanner = githubEventScanner === 'native' ? 'native (native/event-scan)' : `JS (${nativeScanProblem})`;
  const ratio = r.sustained / r.bareRate;
  const absOk = r.sustained >= 100_000;
  const relOk = ratio >= 0.5;
  // Every acked event must be in the lake (a request the load generator saw fail may have landed too: >=).
  const allLanded = all.every((x) => x.landed >= x.acked);
  const each = all.map((x) => `${k(x.sustained)} vs ${k(x.bareRate)} (${(x.sustained / x.bareRate).toFixed(2)}x; acked ${k(x.ackRate)} = ${(x.ackRate / x.bareRate).toFixed(2)}x, +${x.drain.toFixed(1)}s drain)`).join('; ');
  return [
    {
      row: 'collector: events/s sustained, durable acks',
      ours: k(r.sustained),
      comparison: `${k(r.bareRate)} bare append`,
      ratio,
      target: '>= 100k ev/s and >= 0.5x',
      pass: absOk && relOk && allLanded,
      notes:
        `>= 100k: ${absOk ? 'PASS' : 'FAIL'}, >= 0.5x: ${relOk ? 'PASS' : 'FAIL'}, every acked event in the lake: ${allLanded ? 'PASS' : 'FAIL'} (${all.map((x) => `${x.landed} landed / ${x.acked} acked`).join('; ')}). codec ${codecName} (gzip level 1; WAL entries are gzip members, appended to the lake file as they are when the GitHub transform passes every record unchanged), GitHub event scanner ${scanner}, base64 decoder ${nativeDecodeSpans ? 'native' : `Node (${nativeBase64Problem})`}. sustained = acked / (load + drain on graceful stop). ` +
        `${concurrency} conns x ${BATCH}-event batches, ${seconds}s per server, median of ${rounds} round(s): ${each}; ${r.throttled} x 429, ${r.errors} errors. ` +
        `Server CPU per event (user+sys, all threads; steadier than rates on a shared box): ${all.map((x) => `${x.cpuUs.toFixed(1)} µs vs ${x.bareCpuUs.toFixed(1)} µs bare`).join('; ')}`,
    },
    {
      row: 'collector: events/s acked during load',
      ours: k(r.ackRate),
      comparison: `${k(r.bareRate)} bare append`,
      ratio: r.ackRate / r.bareRate,
      target: 'reported (WAL fsync before each ack)',
      pass: null,
      notes: 'ack rate alone (delivery to the lake runs behind it, bounded by collector.maxWalBytes)',
    },
    {
      row: 'collector: p99 ack latency',
      ours: `${r.p99?.toFixed(1)} ms`,
      comparison: `${r.bareP99?.toFixed(1)} ms bare`,
      ratio: r.p99 && r.bareP99 ? r.p99 / r.bareP99 : null,
      target: 'reported (fsync before ack)',
      pass: null,
      notes: `p50 ${r.p50?.toFixed(1)} ms vs ${r.bareP50?.toFixed(1)} ms bare (per 500-event request, ${concurrency} in flight)`,
    },
    {
      row: 'collector: server memory',
      ours: `${Math.round(r.hwm)} MB peak RSS`,
      comparison: `${Math.round(r.bareHwm)} MB bare peak RSS`,
      ratio: r.hwm / r.bareHwm,
      target: 'flat under load',
      pass: null,
      notes: `collector RSS at 1/3 of the load ${Math.round(r.rssThird)} MB, at the end ${Math.round(r.rssEnd)} MB`,
    },
    scan,
    decode,
  ];
}

if (process.argv[1] === self) {
  const [mode, ...a] = process.argv.slice(2);
  if (mode === '--bare') bareServer(a[0]!);
  else if (mode === '--load') await loadGen(a[0]!, Number(a[1]), Number(a[2]), a[3]!, a[4]!);
}
