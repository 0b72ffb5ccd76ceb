// Shared fixtures for layer tests: a temp lake with a Context, and Amplitude export events in the real format.
import { mkdtemp, rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildContext, type Context } from '../../src/cli/context.ts';

export async function withLake(fn: (ctx: Context, dir: string) => Promise<void>, overrides?: Record<string, unknown>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'el-layers-'));
  try {
    const ctx = await buildContext({ lake: join(dir, 'lake') }, overrides);
    await fn(ctx, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An event as the Amplitude Export API writes it (subset of keys real exports carry, same types). */
export function ampEvent(n: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const sec = String(n % 60).padStart(2, '0');
  return {
    $insert_id: `ins-${n}`,
    adid: null,
    amplitude_attribution_ids: null,
    amplitude_event_type: null,
    amplitude_id: 900000000 + n,
    app: 187520,
    city: 'Berlin',
    client_event_time: `2022-11-14 10:00:${sec}.008000`,
    client_upload_time: `2022-11-14 10:00:${sec}.512000`,
    country: n % 3 === 0 ? 'Germany' : 'France',
    data: { path: '/2/httpapi', group_first_event: {} },
    device_brand: null,
    device_carrier: null,
    device_family: 'Mac',
    device_id: `dev-${n % 7}`,
    device_manufacturer: null,
    device_model: null,
    device_type: 'Mac',
    dma: null,
    event_id: n,
    event_properties: { page: `/p/${n % 4}`, plan: 'pro' },
    event_time: `2022-11-14 10:00:${sec}.008000`,
    event_type: n % 2 === 0 ? 'page_view' : 'click',
    global_user_properties: {},
    group_properties: {},
    groups: {},
    idfa: null,
    ip_address: '10.0.0.1',
    is_attribution_event: false,
    language: 'English',
    library: 'http/2.0',
    location_lat: 52.52,
    location_lng: 13.4,
    os_name: 'Chrome',
    os_version: '107',
    partner_id: null,
    paying: null,
    plan: {},
    platform: n % 2 === 0 ? 'Web' : 'iOS',
    processed_time: `2022-11-14 10:01:${sec}.100000`,
    region: 'Land Berlin',
    sample_rate: null,
    server_received_time: `2022-11-14 10:00:${sec}.900000`,
    server_upload_time: `2022-11-14 10:00:${sec}.950000`,
    session_id: 1668419973008,
    source_id: null,
    start_version: null,
    user_creation_time: '2022-11-01 08:00:00.000000',
    user_id: n % 5 === 0 ? null : `user-${n % 11}`,
    user_properties: { cohort: 'a' },
    uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    version_name: null,
    ...over,
  };
}

export const ndjson = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

/** Writes one raw Amplitude file (gzip of NDJSON bytes) through the storage contract. */
export async function putRaw(ctx: Context, source: string, dt: string, hour: number, name: string, body: string | Buffer): Promise<string> {
  const key = ctx.layout.rawKey(source, dt, hour, name);
  await ctx.storage.put(key, gzipSync(typeof body === 'string' ? Buffer.from(body) : body));
  return key;
}
