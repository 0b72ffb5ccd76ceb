// Realistic Amplitude export events (field names, types and timestamp format as in real Export API files) and
// hourly .json.gz files named as Amplitude names them, for the dev server, tests, the demo and the bench.
// Deterministic for a given seed.
import { createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Transform } from 'node:stream';
import yazl from 'yazl';
import { parseHour, hoursBetween, HOUR_MS } from '../../lake/hours.ts';
import { exportBaseName, parseBaseName } from './names.ts';
import { codec } from '../../codec/index.ts';

export interface GenerateOptions {
  start: string; // YYYY-MM-DDTHH (first server_upload_time hour)
  end: string; // inclusive
  events: number; // total events over the range (before duplicates)
  seed?: number;
  projectId?: string;
  /** How many events are re-sent with the same uuid (as Amplitude exports contain). */
  duplicates?: number;
  users?: number;
}

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENT_TYPES: Array<[string, number]> = [
  ['session_start', 10], ['session_end', 8], ['Page Viewed', 30], ['Button Clicked', 14], ['Search Performed', 8],
  ['Product Viewed', 12], ['Added To Cart', 6], ['Checkout Started', 3], ['Order Completed', 2], ['Sign Up', 1],
  ['Login', 4], ['[Amplitude] Page Viewed', 6], ['Video Played', 3], ['Share', 1],
];
const PLATFORMS = [
  { platform: 'Web', os_name: 'Chrome', os_version: '131', device_family: 'Mac', device_type: 'Apple Macintosh', library: 'amplitude-ts/2.11.1' },
  { platform: 'Web', os_name: 'Safari', os_version: '18.1', device_family: 'Mac', device_type: 'Apple Macintosh', library: 'amplitude-ts/2.11.1' },
  { platform: 'Web', os_name: 'Firefox', os_version: '132', device_family: 'Windows', device_type: 'Windows', library: 'amplitude-ts/2.11.1' },
  { platform: 'iOS', os_name: 'ios', os_version: '18.1.1', device_family: 'Apple iPhone', device_type: 'Apple iPhone 15', library: 'amplitude-swift/1.9.2' },
  { platform: 'Android', os_name: 'android', os_version: '14', device_family: 'Samsung Phone', device_type: 'Samsung Galaxy S24', library: 'amplitude-android/1.17.0' },
];
const PLACES = [
  ['United States', 'California', 'San Francisco', 'San Francisco-Oakland-San Jose, CA', 'English'],
  ['United States', 'New York', 'New York', 'New York, NY', 'English'],
  ['Germany', 'Berlin', 'Berlin', null, 'German'],
  ['France', 'Île-de-France', 'Paris', null, 'French'],
  ['Brazil', 'São Paulo', 'São Paulo', null, 'Portuguese'],
  ['Japan', 'Tokyo', 'Tokyo', null, 'Japanese'],
  ['India', 'Karnataka', 'Bengaluru', null, 'English'],
  ['United Kingdom', 'England', 'London', null, 'English'],
] as const;
const PAGES = ['/', '/pricing', '/docs', '/blog/launch', '/product/42', '/cart', '/checkout', '/account', '/search'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function weighted(r: () => number): string {
  const total = EVENT_TYPES.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [t, w] of EVENT_TYPES) if ((x -= w) < 0) return t;
  return EVENT_TYPES[0]![0];
}

/** "2026-11-01 05:12:33.008000" (UTC, no zone); sometimes without the fraction, as real exports do. */
export function amplitudeTime(ms: number, withFraction = true): string {
  const iso = new Date(ms).toISOString(); // 2026-11-01T05:12:33.008Z
  return withFraction ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}000` : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function uuid(r: () => number): string {
  const h = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${h(8)}-${h(4)}-4${h(3)}-${'89ab'[Math.floor(r() * 4)]}${h(3)}-${h(12)}`;
}

export interface GeneratedEvent {
  /** Hour (epoch ms) of server_upload_time: the hourly file it belongs to. */
  hourMs: number;
  event: Record<string, unknown>;
}

/** Yields events hour by hour, in server_upload_time order within each hour. */
export function* generateAmplitudeEvents(o: GenerateOptions): Generator<GeneratedEvent> {
  const r = rng(o.seed ?? 42);
  const projectId = Number(o.projectId ?? '187520');
  const hours = hoursBetween(parseHour(o.start, 'start'), parseHour(o.end, 'end'));
  const nUsers = o.users ?? Math.max(10, Math.round(o.events / 25));
  const dupEvery = o.duplicates ? Math.max(1, Math.floor(o.events / o.duplicates)) : 0;
  let emitted = 0;
  let dups = 0;
  let eventId = 0;
  for (let hi = 0; hi < hours.length; hi++) {
    const hourMs = hours[hi]!;
    const n = Math.floor(((hi + 1) * o.events) / hours.length) - Math.floor((hi * o.events) / hours.length);
    const uploads = Array.from({ length: n }, () => hourMs + Math.floor(r() * HOUR_MS)).sort((a, b) => a - b);
    for (const upload of uploads) {
      const u = Math.floor(r() * nUsers);
      const place = PLACES[u % PLACES.length]!;
      const plat = PLATFORMS[(u * 7) % PLATFORMS.length]!;
      const anonymous = u % 9 === 0;
      const eventTime = upload - Math.floor(r() * 20_000) - 50;
      const noSession = r() < 0.04;
      const sessionId = noSession ? -1 : eventTime - Math.floor(r() * 1_200_000);
      const type = weighted(r);
      const page = pick(r, PAGES);
      const ev: Record<string, unknown> = {
        $insert_id: r() < 0.15 ? undefined : uuid(r),
        $insert_key: null,
        $schema: 12,
        adid: null,
        amplitude_attribution_ids: null,
        amplitude_event_type: null,
        amplitude_id: 100_000_000_000 + u * 7919,
        app: projectId,
        city: place[2],
        client_event_time: amplitudeTime(eventTime),
        client_upload_time: amplitudeTime(upload - 30),
        country: place[0],
        data: { group_first_event: {}, group_ids: {}, path: '/2/httpapi', user_properties_updated: r() < 0.1 },
        data_type: 'event',
        device_brand: plat.platform === 'Android' ? 'samsung' : null,
        device_carrier: plat.platform === 'Web' ? null : pick(r, ['Verizon', 'T-Mobile', 'Vodafone', 'Orange']),
        device_family: plat.device_family,
        device_id: `${(u * 2654435761 >>> 0).toString(16)}-${plat.platform.toLowerCase()}-device`,
        device_manufacturer: plat.platform === 'iOS' ? 'Apple' : plat.platform === 'Android' ? 'Samsung' : null,
        device_model: plat.device_type,
        device_type: plat.device_type,
        dma: place[3],
        event_id: ++eventId,
        event_properties: {
          page_path: page,
          referrer: pick(r, ['https://www.google.com/', 'https://news.ycombinator.com/', '', 'https://t.co/']),
          ...(type === 'Button Clicked' ? { button_id: pick(r, ['signup', 'buy', 'next', 'close']), position: Math.floor(r() * 10) } : {}),
          ...(type === 'Search Performed' ? { query: pick(r, ['duckdb', 'parquet', 'lakehouse', 'amplitude export']), results: Math.floor(r() * 50) } : {}),
          ...(type === 'Order Completed' ? { revenue: Math.round(r() * 50_000) / 100, currency: 'USD', items: 1 + Math.floor(r() * 4) } : {}),
        },
        event_time: amplitudeTime(eventTime, r() > 0.05),
        event_type: type,
        global_user_properties: {},
        group_properties: {},
        groups: {},
        idfa: null,
        ip_address: `${10 + (u % 200)}.${(u >> 3) % 255}.${(u >> 7) % 255}.${u % 251}`,
        is_attribution_event: false,
        language: place[4],
        library: plat.library,
        location_lat: null,
        location_lng: null,
        os_name: plat.os_name,
        os_version: plat.os_version,
        partner_id: null,
        paying: u % 13 === 0 ? true : null,
        plan: {},
        platform: plat.platform,
        processed_time: amplitudeTime(upload + 1500),
        region: place[1],
        sample_rate: null,
        server_received_time: amplitudeTime(upload - 5),
        server_upload_time: amplitudeTime(upload),
        session_id: sessionId,
        source_id: null,
        start_version: null,
        user_creation_time: amplitudeTime(Date.UTC(2026, 0, 1) + (u % 300) * 86_400_000),
        user_id: anonymous ? null : `user_${u}`,
        user_properties: {
          plan: pick(r, ['free', 'pro', 'team']),
          signup_source: pick(r, ['organic', 'ads', 'referral']),
          ...(u % 3 === 0 ? { company_size: pick(r, ['1-10', '11-50', '51-200']) } : {}),
        },
        uuid: uuid(r),
        version_name: plat.platform === 'Web' ? null : '4.2.0',
      };
      if (ev.$insert_id === undefined) delete ev.$insert_id;
      yield { hourMs, event: ev };
      emitted++;
      if (dupEvery && dups < (o.duplicates ?? 0) && emitted % dupEvery === 0) {
        dups++;
        // A re-sent event: same uuid, uploaded again a little later.
        yield { hourMs, event: { ...ev, server_upload_time: amplitudeTime(Math.min(upload + 700, hourMs + HOUR_MS - 1)) } };
      }
    }
  }
}

export interface HourlyFilesOptions extends GenerateOptions {
  outDir: string;
  /** Max events per file before starting "#1", "#2"... (Amplitude splits large hours). */
  eventsPerFile?: number;
  /** Lines that are not valid JSON, inserted into the first hour's file (for the quarantine path). */
  malformedLines?: number;
  gzipLevel?: number;
}

export interface GeneratedFile {
  path: string;
  baseName: string;
  events: number; // lines, including malformed ones
}

/** Writes `<projectId>_<yyyy-MM-dd>_<H>#<n>.json.gz` files (gzip of NDJSON) into outDir. Memory stays flat. */
export async function writeAmplitudeHourlyFiles(o: HourlyFilesOptions): Promise<GeneratedFile[]> {
  await fs.mkdir(o.outDir, { recursive: true });
  const projectId = o.projectId ?? '187520';
  const perFile = o.eventsPerFile ?? 50_000;
  const files: GeneratedFile[] = [];
  let cur: { hourMs: number; part: number; n: number; gz: Transform; done: Promise<unknown>; file: GeneratedFile } | undefined;
  let malformed = o.malformedLines ?? 0;
  let buf: string[] = [];
  const flush = async () => {
    if (!cur || buf.length === 0) return;
    if (!cur.gz.write(buf.join(''))) await once(cur.gz, 'drain');
    buf = [];
  };
  const close = async () => {
    if (!cur) return;
    await flush();
    cur.gz.end();
    await cur.done;
    cur.file.events = cur.n;
    cur = undefined;
  };
  const open = (hourMs: number, part: number) => {
    const baseName = exportBaseName(projectId, hourMs, part);
    const path = join(o.outDir, baseName);
    const gz = codec().createGzip({ level: o.gzipLevel ?? 6 });
    const ws = createWriteStream(path);
    gz.pipe(ws);
    const file = { path, baseName, events: 0 };
    files.push(file);
    cur = { hourMs, part, n: 0, gz, done: once(ws, 'finish'), file };
  };
  for (const { hourMs, event } of generateAmplitudeEvents(o)) {
    if (!cur || cur.hourMs !== hourMs || cur.n >= perFile) {
      const part = cur && cur.hourMs === hourMs ? cur.part + 1 : 0;
      await close();
      open(hourMs, part);
    }
    buf.push(JSON.stringify(event) + '\n');
    cur!.n++;
    if (malformed > 0 && cur!.n === 3) {
      // A line cut off mid-record, as a broken upstream writer would leave it.
      buf.push(JSON.stringify(event).slice(0, 120) + '\n');
      cur!.n++;
      malformed--;
    }
    if (buf.length >= 256) await flush();
  }
  await close();
  return files;
}

export interface ExportZipOptions {
  /** Deflate the .json.gz entries again inside the zip (as most zip writers do); default true. */
  compress?: boolean;
}

/** Builds an export zip with entries `<projectId>/<baseName>` from hourly files, streamed to zipPath. */
export async function writeExportZip(filePaths: string[], zipPath: string, o: ExportZipOptions = {}): Promise<void> {
  const zip = new yazl.ZipFile();
  const ws = createWriteStream(zipPath);
  zip.outputStream.pipe(ws);
  for (const p of filePaths) {
    const base = p.split('/').pop()!;
    const name = parseBaseName(base);
    if (!name) throw new Error(`not an Amplitude export file name: ${base}`);
    zip.addFile(p, `${name.projectId}/${base}`, { compress: o.compress ?? true, mtime: new Date(Date.UTC(2026, 10, 1)), mode: 0o100644 });
  }
  zip.end();
  await once(ws, 'finish');
}
