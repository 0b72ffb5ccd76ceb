// Producer API keys. A key is shown once (by `eventlake collector add-producer`) and only its sha256 is kept:
// in the lake at _eventlake/state/collector/producers.json, in config (collector.producers), or given raw through
// env EVENTLAKE_COLLECTOR_KEY__<PRODUCER>=<key> (registered as a secret, hashed in memory).
// Keys are 192 random bits, so a fast hash is enough: there is nothing to brute-force.
import { createHash, randomBytes } from 'node:crypto';
import { getJson, putJson, type Storage } from '../core/storage.ts';
import type { LakeLayout } from '../lake/layout.ts';
import { registerSecret } from '../core/secrets.ts';
import { EventlakeError } from '../core/errors.ts';

export interface ProducerRecord {
  name: string;
  keySha256: string;
  createdAt?: string;
}

const ENV_PREFIX = 'EVENTLAKE_COLLECTOR_KEY__';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateKey(): string {
  return `elk_${randomBytes(24).toString('base64url')}`;
}

export function producersKey(layout: LakeLayout): string {
  return layout.metaKey('state', 'collector', 'producers.json');
}

export async function readProducerStore(storage: Storage, layout: LakeLayout): Promise<ProducerRecord[]> {
  return (await getJson<{ producers: ProducerRecord[] }>(storage, producersKey(layout)))?.producers ?? [];
}

/** Adds (or with rotate, replaces) a producer and returns its new key: the only time the key exists in clear. */
export async function addProducer(storage: Storage, layout: LakeLayout, name: string, opts: { rotate?: boolean } = {}): Promise<{ key: string; record: ProducerRecord }> {
  if (!NAME_RE.test(name)) throw new EventlakeError(`invalid producer name ${JSON.stringify(name)}: use letters, digits, . _ - (max 64)`, { step: 'collector.auth', code: 'USAGE' });
  const list = await readProducerStore(storage, layout);
  const existing = list.findIndex((p) => p.name === name);
  if (existing >= 0 && !opts.rotate) {
    throw new EventlakeError(`producer ${name} already exists`, { step: 'collector.auth', code: 'USAGE', next: `eventlake collector add-producer ${name} --rotate   (replaces its key)` });
  }
  const key = generateKey();
  const record = { name, keySha256: hashKey(key), createdAt: new Date().toISOString() };
  if (existing >= 0) list[existing] = record;
  else list.push(record);
  await putJson(storage, producersKey(layout), { producers: list });
  return { key, record };
}

export async function removeProducer(storage: Storage, layout: LakeLayout, name: string): Promise<boolean> {
  const list = await readProducerStore(storage, layout);
  const left = list.filter((p) => p.name !== name);
  if (left.length === list.length) return false;
  await putJson(storage, producersKey(layout), { producers: left });
  return true;
}

export function envProducers(env: NodeJS.ProcessEnv = process.env): ProducerRecord[] {
  const out: ProducerRecord[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith(ENV_PREFIX) || !v) continue;
    registerSecret(v);
    out.push({ name: k.slice(ENV_PREFIX.length).toLowerCase(), keySha256: hashKey(v) });
  }
  return out;
}

/** Verifies keys against every source; re-reads the lake store on a miss (at most every 2 s) so new producers work without a restart. */
export class ProducerKeys {
  private byHash = new Map<string, string>();
  private lastReload = 0;
  constructor(
    private readonly storage: Storage,
    private readonly layout: LakeLayout,
    private readonly fixed: ProducerRecord[],
  ) {}

  get size(): number {
    return this.byHash.size;
  }

  async reload(): Promise<void> {
    const next = new Map<string, string>();
    for (const p of [...this.fixed, ...(await readProducerStore(this.storage, this.layout))]) next.set(p.keySha256, p.name);
    this.byHash = next;
    this.lastReload = Date.now();
  }

  /** Returns the producer name for a key, or undefined. */
  async verify(key: string | undefined): Promise<string | undefined> {
    if (!key) return undefined;
    const h = hashKey(key);
    let name = this.lookup(h);
    if (name === undefined && Date.now() - this.lastReload > 2000) {
      await this.reload();
      name = this.lookup(h);
    }
    return name;
  }

  // A Map lookup on the sha256 of the presented key: timing can only reveal facts about hashes of guesses.
  private lookup(h: string): string | undefined {
    return this.byHash.get(h);
  }
}

/** The key from `Authorization: Bearer <key>`, `X-Api-Key`, or Firehose's `X-Amz-Firehose-Access-Key`. */
export function keyFromHeaders(h: Record<string, string | string[] | undefined>): string | undefined {
  const auth = h.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (m) return m[1];
  }
  const x = h['x-api-key'] ?? h['x-amz-firehose-access-key'];
  return typeof x === 'string' && x ? x : undefined;
}
