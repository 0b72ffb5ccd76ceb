// A local Amplitude Export API for tests and the demo: real HTTP on 127.0.0.1, Basic auth, start/end (YYYYMMDDTHH,
// both inclusive, on the hour of server_upload_time), 404 "Raw data files were not found" for empty windows, and a
// zip streamed from hourly .json.gz files in the real entry naming `<projectId>/<projectId>_<yyyy-MM-dd>_<H>#<n>.json.gz`.
// Faults can be injected per request (429/500/400/504, not-a-zip, slow, corrupt zip, truncated gzip, hostile entries).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createWriteStream, promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { parseBaseName, parseApiHour } from './names.ts';
import { HOUR_MS } from '../../lake/hours.ts';
import { ExportZip } from './zip-entries.ts';

export type HostileKind = 'zip-slip' | 'absolute' | 'symlink' | 'bomb' | 'gzip-bomb';

export type Fault =
  | { kind: 'status'; status: number; body?: string; retryAfterSeconds?: number }
  | { kind: 'not-a-zip' }
  | { kind: 'corrupt-zip' }
  | { kind: 'truncated-gzip' }
  | { kind: 'hostile'; entry: HostileKind }
  | { kind: 'delay'; ms: number }
  /** Sends half of the zip, then nothing for `ms`, then the rest (a stalled download). */
  | { kind: 'stall'; ms: number };

export interface FaultRequest {
  start: number; // epoch ms of the first hour
  end: number; // epoch ms of the last hour
  hours: number;
  /** 1-based count of requests so far (all windows). */
  n: number;
  /** 1-based count of requests for this exact window. */
  windowN: number;
}

export interface DevServerOptions {
  /** A folder of hourly .json.gz files (searched recursively) or an export zip. */
  data: string;
  port?: number;
  host?: string;
  apiKey?: string;
  secretKey?: string;
  /** Deflate entries in the served zips (default true). */
  compress?: boolean;
  /** Per-request fault injection (wins over the simple options below). */
  fault?: (req: FaultRequest) => Fault | undefined;
  /** Answer 429 to the first N requests. */
  fail429First?: number;
  /** Answer 500 to the first N requests. */
  fail500First?: number;
  /** Answer 200 with an HTML page (not a zip) to the first N requests. */
  notAZipFirst?: number;
  /** Answer this status (400 or 504) to windows longer than `overHours` hours. */
  tooLarge?: { status: 400 | 504; overHours: number };
  /** Delay every answer by this many ms. */
  delayMs?: number;
}

export interface ServedRequest {
  start: string;
  end: string;
  status: number;
  fault?: string;
}

export interface AmplitudeDevServer {
  url: string;
  close(): Promise<void>;
  /** Every export request answered, in order. */
  requests: ServedRequest[];
}

interface HourFile {
  path: string;
  entryName: string;
}

async function indexFolder(dir: string, out = new Map<number, HourFile[]>()): Promise<Map<number, HourFile[]>> {
  for (const ent of await fs.readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) await indexFolder(p, out);
    else if (ent.isFile()) {
      const n = parseBaseName(ent.name);
      if (!n) continue;
      const hourMs = Date.parse(`${n.dt}T00:00:00Z`) + n.hour * HOUR_MS;
      const list = out.get(hourMs) ?? [];
      list.push({ path: p, entryName: `${n.projectId}/${n.baseName}` });
      out.set(hourMs, list);
    }
  }
  for (const l of out.values()) l.sort((a, b) => (a.entryName < b.entryName ? -1 : 1));
  return out;
}

/** An export zip as data: its entries are unpacked once (validated) into a temp folder. */
async function unpackZip(zipPath: string): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'amplitude-dev-'));
  const zip = await ExportZip.open(zipPath, {
    step: 'dev.amplitude',
    limits: { maxEntries: 1_000_000, maxEntryBytes: 8 * 1024 ** 3, maxTotalUncompressedBytes: 1024 ** 4, maxCompressionRatio: 1000 },
  });
  try {
    for (const ce of zip.entries) await pipeline(await zip.openStream(ce), createWriteStream(join(dir, ce.name.baseName)));
  } finally {
    zip.close();
  }
  return dir;
}

function zipToBuffer(add: (z: yazl.ZipFile) => void): Promise<Buffer> {
  const z = new yazl.ZipFile();
  add(z);
  z.end();
  const chunks: Buffer[] = [];
  z.outputStream.on('data', (c: Buffer) => chunks.push(c));
  return once(z.outputStream, 'end').then(() => Buffer.concat(chunks));
}

/** Replaces every occurrence of `from` by the same-length `to` (zip names appear in local and central headers). */
function patchName(buf: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('patchName needs equal lengths');
  const f = Buffer.from(from);
  let i = buf.indexOf(f);
  while (i !== -1) {
    buf.write(to, i, 'latin1');
    i = buf.indexOf(f, i + f.length);
  }
  return buf;
}

export async function startAmplitudeDevServer(o: DevServerOptions): Promise<AmplitudeDevServer> {
  const st = await fs.stat(o.data);
  const unpacked = st.isFile() ? await unpackZip(o.data) : undefined;
  const index = await indexFolder(unpacked ?? o.data);
  const expected = 'Basic ' + Buffer.from(`${o.apiKey ?? 'dev-api-key'}:${o.secretKey ?? 'dev-secret-key'}`).toString('base64');
  const requests: ServedRequest[] = [];
  const perWindow = new Map<string, number>();
  let n = 0;

  const send = (res: ServerResponse, req: ServedRequest, status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
    req.status = status;
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/zip', ...headers });
    res.end(body);
  };

  const filesFor = (s: number, e: number): HourFile[] => {
    const out: HourFile[] = [];
    for (let h = s; h <= e; h += HOUR_MS) out.push(...(index.get(h) ?? []));
    return out;
  };

  const faultZip = async (f: Fault, files: HourFile[]): Promise<Buffer> => {
    const valid = (z: yazl.ZipFile) => {
      for (const fl of files) z.addBuffer(readFileSync(fl.path), fl.entryName, { compress: o.compress ?? true });
    };
    const pid = files[0]?.entryName.split('/')[0] ?? '187520';
    if (f.kind === 'corrupt-zip') {
      const whole = await zipToBuffer(valid);
      return whole.subarray(0, Math.max(30, Math.floor(whole.length * 0.6)));
    }
    if (f.kind === 'truncated-gzip') {
      return zipToBuffer((z) =>
        files.forEach((fl, i) => {
          const b = readFileSync(fl.path);
          z.addBuffer(i === files.length - 1 ? b.subarray(0, Math.floor(b.length / 2)) : b, fl.entryName, { compress: o.compress ?? true });
        }),
      );
    }
    if (f.kind === 'hostile') {
      const gzName = `${pid}/${pid}_2026-11-01_0#99.json.gz`;
      switch (f.entry) {
        case 'zip-slip': {
          const buf = await zipToBuffer((z) => {
            valid(z);
            z.addBuffer(gzipSync('{"evil":true}\n'), 'QQ/QQ/QQ/evil_slip.json.gz');
          });
          return patchName(buf, 'QQ/QQ/QQ/', '../../../');
        }
        case 'absolute': {
          const buf = await zipToBuffer((z) => {
            valid(z);
            z.addBuffer(gzipSync('{"evil":true}\n'), 'QQQQ/evil_abs.json.gz');
          });
          return patchName(buf, 'QQQQ/evil_abs', '/tmp/evil_abs');
        }
        case 'symlink':
          return zipToBuffer((z) => {
            valid(z);
            z.addBuffer(Buffer.from('/etc/passwd'), gzName, { mode: 0o120777, compress: false });
          });
        case 'bomb':
          return zipToBuffer((z) => {
            valid(z);
            z.addBuffer(Buffer.alloc(4 * 1024 * 1024), gzName, { compress: true }); // ~1000:1
          });
        case 'gzip-bomb':
          return zipToBuffer((z) => {
            valid(z);
            z.addBuffer(gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20), { level: 9 }), gzName, { compress: false }); // ~1000:1 inside the gzip
          });
      }
    }
    throw new Error(`not a zip fault: ${f.kind}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rec: ServedRequest = { start: u.searchParams.get('start') ?? '', end: u.searchParams.get('end') ?? '', status: 0 };
    if (u.pathname !== '/api/2/export' || req.method !== 'GET') return send(res, rec, 404, 'Not Found');
    requests.push(rec);
    const auth = req.headers.authorization;
    if (!auth) return send(res, rec, 401, 'Missing Authorization header', { 'www-authenticate': 'Basic realm="amplitude"' });
    if (auth !== expected) return send(res, rec, 403, 'Invalid API key or secret key');
    const s = parseApiHour(rec.start);
    const e = parseApiHour(rec.end);
    if (Number.isNaN(s) || Number.isNaN(e) || e < s) return send(res, rec, 400, 'Invalid start or end: expected YYYYMMDDTHH');
    n++;
    const wkey = `${rec.start}-${rec.end}`;
    const windowN = (perWindow.get(wkey) ?? 0) + 1;
    perWindow.set(wkey, windowN);
    const hours = (e - s) / HOUR_MS + 1;
    let fault = o.fault?.({ start: s, end: e, hours, n, windowN });
    if (!fault) {
      if (o.fail429First && n <= o.fail429First) fault = { kind: 'status', status: 429, body: 'Too many requests', retryAfterSeconds: 0 };
      else if (o.fail500First && n <= o.fail500First) fault = { kind: 'status', status: 500, body: 'Internal Server Error' };
      else if (o.notAZipFirst && n <= o.notAZipFirst) fault = { kind: 'not-a-zip' };
      else if (o.tooLarge && hours > o.tooLarge.overHours) fault = { kind: 'status', status: o.tooLarge.status, body: o.tooLarge.status === 400 ? 'Raw data response exceeds 4GB' : 'Gateway Timeout' };
    }
    const delay = fault?.kind === 'delay' ? fault.ms : (o.delayMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (res.destroyed) return;
    rec.fault = fault?.kind === 'hostile' ? `hostile:${fault.entry}` : fault?.kind;
    if (fault?.kind === 'status') {
      const h: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return send(res, rec, fault.status, fault.body ?? `HTTP ${fault.status}`, h);
    }
    if (fault?.kind === 'not-a-zip') return send(res, rec, 200, '<html><body>Service temporarily unavailable</body></html>', { 'content-type': 'text/html' });
    const files = filesFor(s, e);
    if (files.length === 0) return send(res, rec, 404, 'Raw data files were not found.');
    if (fault?.kind === 'stall') {
      const whole = await zipToBuffer((z) => files.forEach((fl) => z.addBuffer(readFileSync(fl.path), fl.entryName, { compress: o.compress ?? true })));
      rec.status = 200;
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(whole.length) });
      res.write(whole.subarray(0, whole.length >> 1));
      await new Promise((r) => setTimeout(r, fault.ms));
      if (!res.destroyed) res.end(whole.subarray(whole.length >> 1));
      return;
    }
    if (fault && fault.kind !== 'delay') return send(res, rec, 200, await faultZip(fault, files));
    rec.status = 200;
    res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${rec.start}-${rec.end}.zip"` });
    const z = new yazl.ZipFile();
    for (const fl of files) z.addFile(fl.path, fl.entryName, { compress: o.compress ?? true, mode: 0o100644 });
    z.end();
    await pipeline(z.outputStream, res).catch(() => res.destroy());
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`dev server error: ${(err as Error).message}`);
    });
  });
  server.listen(o.port ?? 0, o.host ?? '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address() as { port: number; address: string };
  return {
    url: `http://${addr.address}:${addr.port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (unpacked) await fs.rm(unpacked, { recursive: true, force: true });
    },
  };
}
