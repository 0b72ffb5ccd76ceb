// Local stand-ins for data.gharchive.org and api.github.com, on one real HTTP server on 127.0.0.1:
//   <url>/gharchive/YYYY-MM-DD-H.json.gz   files from a folder, 404 for missing hours
//   <url>/api/events, /api/repos/{o}/{r}/events, /api/orgs/{org}/events, /api/users/{u}/events
// with GitHub's headers (ETag/304, Link pagination up to 300 events, X-Poll-Interval, x-ratelimit-*), Bearer-token
// checks, and fault injection (5xx, 429, truncated or corrupt gzip, stalls). Used by tests, the bench and the demo.
import http from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { generateGithubEvents, type GithubEvent } from './generate.ts';
import { parseGharchiveFileName } from './names.ts';

export type FaultKind = '500' | '502' | '503' | '429' | 'truncate' | 'corrupt' | 'stall';

export interface Fault {
  /** 'api' for the Events API, a GH Archive file name ("2026-11-01-3.json.gz"), or '*' for every GH Archive file. */
  target: string;
  kind: FaultKind;
  /** How many requests it applies to (default: all). */
  times?: number;
  /** Retry-After seconds sent with 429/503. */
  retryAfterSec?: number;
  /** For 'stall': milliseconds to hold the body half-sent (default: until the client goes away). */
  stallMs?: number;
}

export interface RequestRecord {
  path: string;
  status: number;
  at: number;
  headers: http.IncomingHttpHeaders;
  /** Headers of the response (rate-limit numbers, ETag, Link…). */
  response: Record<string, string | number>;
}

export interface GithubDevServerOptions {
  port?: number;
  host?: string;
  /** Folder with GH Archive hour files (YYYY-MM-DD-H.json.gz). */
  dataDir?: string;
  /** Events served by the Events API (any order; served newest first). Default: 400 generated events of the current hour. */
  apiEvents?: GithubEvent[];
  /** When set, requests must carry `Authorization: Bearer <token>` (or `token <token>`), else 401. */
  token?: string;
  pollIntervalSec?: number;
  rateLimit?: { limit: number; windowSec: number };
  faults?: Fault[];
  /** Add `count` fresh generated events every `everyMs` (a live-looking feed for the demo). */
  tick?: { everyMs: number; count: number };
}

export interface GithubDevServers {
  url: string;
  gharchiveUrl: string;
  apiUrl: string;
  requests: RequestRecord[];
  addFault(f: Fault): void;
  clearFaults(): void;
  /** Adds events to the Events API feed (they become the newest). */
  addEvents(events: GithubEvent[]): void;
  setPollInterval(sec: number): void;
  /** Sets the remaining requests and the reset instant (epoch seconds). */
  setRateLimit(remaining: number, resetEpochSec: number): void;
  close(): Promise<void>;
}

const API_CAP = 300;

export async function startGithubDevServers(opts: GithubDevServerOptions = {}): Promise<GithubDevServers> {
  const faults: Array<Fault & { left: number }> = (opts.faults ?? []).map((f) => ({ ...f, left: f.times ?? Infinity }));
  const requests: RequestRecord[] = [];
  let events: GithubEvent[] = [];
  const limit = opts.rateLimit?.limit ?? 5000;
  const windowSec = opts.rateLimit?.windowSec ?? 3600;
  let remaining = limit;
  let resetAt = Math.ceil(Date.now() / 1000) + windowSec;
  let pollInterval = opts.pollIntervalSec ?? 60;
  let tickN = 0;
  const sockets = new Set<import('node:net').Socket>();

  const addEvents = (evs: GithubEvent[]) => {
    events = [...events, ...evs].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
  };
  addEvents(opts.apiEvents ?? generateGithubEvents({ hourMs: Math.floor(Date.now() / 3_600_000) * 3_600_000, count: 400, seed: 7 }));

  const takeFault = (target: string): (Fault & { left: number }) | undefined => {
    const f = faults.find((x) => (x.target === target || (x.target === '*' && target !== 'api')) && x.left > 0);
    if (f) f.left--;
    return f;
  };

  const send = (req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string | number>, body?: string | Buffer) => {
    requests.push({ path: req.url ?? '', status, at: Date.now(), headers: req.headers, response: headers });
    res.writeHead(status, headers);
    res.end(body);
  };

  const httpFault = (req: http.IncomingMessage, res: http.ServerResponse, f: Fault): boolean => {
    if (f.kind === '429' || f.kind === '500' || f.kind === '502' || f.kind === '503') {
      const h: Record<string, string | number> = { 'content-type': 'application/json' };
      if (f.retryAfterSec !== undefined) h['retry-after'] = f.retryAfterSec;
      send(req, res, Number(f.kind), h, JSON.stringify({ message: f.kind === '429' ? 'Too Many Requests' : 'Server Error' }));
      return true;
    }
    return false;
  };

  const serveGharchive = async (req: http.IncomingMessage, res: http.ServerResponse, name: string) => {
    const path = opts.dataDir && parseGharchiveFileName(name) !== undefined ? join(opts.dataDir, name) : undefined;
    const st = path ? await fs.stat(path).catch(() => undefined) : undefined;
    if (!path || !st?.isFile()) return send(req, res, 404, { 'content-type': 'application/xml' }, '<Error><Code>NoSuchKey</Code></Error>');
    const f = takeFault(name);
    if (f && httpFault(req, res, f)) return;
    const headers = { 'content-type': 'application/gzip', 'last-modified': st.mtime.toUTCString() };
    if (f?.kind === 'truncate' || f?.kind === 'corrupt') {
      const buf = await fs.readFile(path);
      // truncate: a gzip cut short (no trailer); corrupt: same length, garbage in the middle of the deflate data.
      const body = f.kind === 'truncate' ? buf.subarray(0, Math.max(20, Math.floor(buf.length * 0.6))) : Buffer.from(buf);
      if (f.kind === 'corrupt') for (let i = Math.floor(body.length / 3); i < Math.min(body.length - 8, Math.floor(body.length / 3) + 64); i++) body[i] = 0xff;
      return send(req, res, 200, { ...headers, 'content-length': body.length }, body);
    }
    if (f?.kind === 'stall') {
      const buf = await fs.readFile(path);
      requests.push({ path: req.url ?? '', status: 200, at: Date.now(), headers: req.headers, response: headers });
      res.writeHead(200, { ...headers, 'content-length': buf.length });
      res.write(buf.subarray(0, Math.floor(buf.length / 2)));
      if (f.stallMs !== undefined) setTimeout(() => res.end(buf.subarray(Math.floor(buf.length / 2))), f.stallMs).unref();
      return;
    }
    requests.push({ path: req.url ?? '', status: 200, at: Date.now(), headers: req.headers, response: headers });
    res.writeHead(200, { ...headers, 'content-length': st.size });
    createReadStream(path, { highWaterMark: 256 * 1024 }).pipe(res);
  };

  const rateHeaders = (): Record<string, string | number> => ({
    'x-ratelimit-limit': limit,
    'x-ratelimit-remaining': Math.max(0, remaining),
    'x-ratelimit-reset': resetAt,
    'x-ratelimit-used': limit - Math.max(0, remaining),
    'x-ratelimit-resource': 'core',
  });

  const serveApi = (req: http.IncomingMessage, res: http.ServerResponse, u: URL) => {
    const auth = req.headers.authorization;
    if (opts.token !== undefined && auth !== `Bearer ${opts.token}` && auth !== `token ${opts.token}`) {
      return send(req, res, 401, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' }));
    }
    const nowSec = Date.now() / 1000;
    if (nowSec >= resetAt) {
      remaining = limit;
      resetAt = Math.ceil(nowSec) + windowSec;
    }
    if (remaining <= 0) {
      return send(req, res, 403, { 'content-type': 'application/json', ...rateHeaders() }, JSON.stringify({ message: 'API rate limit exceeded for 127.0.0.1.', documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' }));
    }
    const f = takeFault('api');
    if (f && httpFault(req, res, f)) return;
    const p = u.pathname.replace(/^\/api/, '');
    let m: RegExpExecArray | null;
    let filter: ((e: GithubEvent) => boolean) | undefined;
    if (p === '/events') filter = () => true;
    else if ((m = /^\/repos\/([^/]+)\/([^/]+)\/events$/.exec(p))) filter = (e) => e.repo.name === `${m![1]}/${m![2]}`;
    else if ((m = /^\/orgs\/([^/]+)\/events$/.exec(p))) filter = (e) => e.org?.login === m![1];
    else if ((m = /^\/users\/([^/]+)\/events(?:\/public)?$/.exec(p))) filter = (e) => e.actor.login === m![1];
    const matching = filter ? events.filter(filter).slice(0, API_CAP) : [];
    if (!filter || (p !== '/events' && matching.length === 0)) {
      return send(req, res, 404, { 'content-type': 'application/json', ...rateHeaders() }, JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }));
    }
    const perPage = Math.min(100, Math.max(1, Number(u.searchParams.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(u.searchParams.get('page') ?? 1) || 1);
    const lastPage = Math.max(1, Math.ceil(matching.length / perPage));
    const body = JSON.stringify(matching.slice((page - 1) * perPage, page * perPage));
    const etag = `W/"${createHash('sha1').update(body).digest('hex')}"`;
    const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', etag, 'x-poll-interval': pollInterval, 'cache-control': 'private, max-age=60, s-maxage=60' };
    const base = `http://${req.headers.host}${u.pathname}`;
    const link = (n: number, rel: string) => `<${base}?per_page=${perPage}&page=${n}>; rel="${rel}"`;
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
    if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
    if (links.length) headers.link = links.join(', ');
    if (req.headers['if-none-match'] === etag) return send(req, res, 304, { ...headers, ...rateHeaders() }); // free: no quota used
    remaining--;
    send(req, res, 200, { ...headers, ...rateHeaders() }, body);
  };

  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, {}, '');
    if (u.pathname.startsWith('/gharchive/')) {
      serveGharchive(req, res, decodeURIComponent(u.pathname.slice('/gharchive/'.length))).catch((e) => {
        if (!res.headersSent) send(req, res, 500, {}, String(e));
        else res.destroy();
      });
      return;
    }
    if (u.pathname.startsWith('/api/')) return serveApi(req, res, u);
    send(req, res, 404, { 'content-type': 'text/plain' }, 'eventlake dev servers: /gharchive/<YYYY-MM-DD-H>.json.gz, /api/events\n');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.address}:${addr.port}`;
  const timer = opts.tick
    ? setInterval(() => {
        const now = Date.now();
        addEvents(generateGithubEvents({ hourMs: now - (now % 1000), count: opts.tick!.count, seed: 1000 + ++tickN, startId: 90_000_000_000 + tickN * 1000 }).map((e) => ({ ...e, created_at: new Date(now).toISOString().slice(0, 19) + 'Z' })));
      }, opts.tick.everyMs)
    : undefined;
  timer?.unref();

  return {
    url,
    gharchiveUrl: `${url}/gharchive`,
    apiUrl: `${url}/api`,
    requests,
    addFault: (f) => faults.push({ ...f, left: f.times ?? Infinity }),
    clearFaults: () => void faults.splice(0),
    addEvents,
    setPollInterval: (s) => void (pollInterval = s),
    setRateLimit: (rem, reset) => {
      remaining = rem;
      resetAt = reset;
    },
    close: async () => {
      if (timer) clearInterval(timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
