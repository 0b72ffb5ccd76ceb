// The Firehose data-transformation Lambda contract, shared by the embedded collector and the real Lambda.
// in:  {invocationId, deliveryStreamArn, region, records:[{recordId, approximateArrivalTimestamp, data(base64)}]}
// out: {records:[{recordId, result: 'Ok'|'Dropped'|'ProcessingFailed', data(base64)}]}
import { isUtf8 } from 'node:buffer';
import { isNormalGithubEvent } from './github-event-scan.ts';
import { nativeAllPassLines, nativeAllPassLinesSync } from './native-scan.ts';
export interface FirehoseTransformEvent {
  invocationId: string;
  deliveryStreamArn?: string;
  region?: string;
  records: { recordId: string; approximateArrivalTimestamp?: number; data: string }[];
}

export type TransformResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

export interface FirehoseTransformRecordOut {
  recordId: string;
  result: TransformResult;
  data: string;
  /** Not part of AWS's contract: our reason for Dropped/ProcessingFailed, written to the error prefix. */
  errorMessage?: string;
}

export interface FirehoseTransformResponse {
  records: FirehoseTransformRecordOut[];
}

/** A per-record transform: returns the new payload (bytes/string/object), null to drop, or throws to fail the record. */
export type RecordTransform = (payload: Buffer) => Buffer | string | Record<string, unknown> | null;

const NL = Buffer.from('\n');

export interface RecordOutcome {
  result: TransformResult;
  /** The new payload when Ok (newline-terminated, unless `newline` says delivery must add it). */
  data?: Buffer;
  /** True when data may lack its terminating newline and delivery appends one (saves a copy per record). */
  newline?: boolean;
  errorMessage?: string;
}

/**
 * Applies a per-record transform to one payload (the core of runTransform, without base64 round trips).
 * `terminate` false: a Buffer result is returned as is with `newline: true` instead of being copied to add "\n".
 */
export function transformRecord(fn: RecordTransform, payload: Buffer, terminate = true): RecordOutcome {
  try {
    const out = fn(payload);
    if (out === null) return { result: 'Dropped' };
    if (Buffer.isBuffer(out)) {
      if (!terminate) return { result: 'Ok', data: out, newline: true };
      return { result: 'Ok', data: out[out.length - 1] === 10 ? out : Buffer.concat([out, NL]) };
    }
    const text = typeof out === 'string' ? out : JSON.stringify(out);
    // Newline-terminate so that concatenated records form NDJSON, as Firehose concatenates without separators.
    return { result: 'Ok', data: Buffer.from(text.endsWith('\n') ? text : text + '\n') };
  } catch (e) {
    return { result: 'ProcessingFailed', errorMessage: (e as Error).message };
  }
}

export function runTransform(event: FirehoseTransformEvent, fn: RecordTransform): FirehoseTransformResponse {
  return {
    records: event.records.map((r) => {
      const o = transformRecord(fn, Buffer.from(r.data, 'base64'));
      if (o.result === 'Ok') return { recordId: r.recordId, result: 'Ok' as const, data: o.data!.toString('base64') };
      if (o.result === 'Dropped') return { recordId: r.recordId, result: 'Dropped' as const, data: r.data };
      return { recordId: r.recordId, result: 'ProcessingFailed' as const, data: r.data, errorMessage: o.errorMessage };
    }),
  };
}

/**
 * Default transform: validates and normalises one GitHub event (Events API shape).
 * Required: id (string or number → string), type (string ending in "Event"), actor.id/login, repo.id/name, created_at (ISO-8601).
 * Normalises: id to string, created_at to "YYYY-MM-DDTHH:MM:SSZ", drops nothing else. Blank lines are dropped.
 * An event that needs no normalising is passed through byte for byte (trimmed).
 */
export const githubEventTransform: RecordTransform = (payload) => {
  // Common case first: no surrounding whitespace, valid UTF-8 (one native pass) – then the payload itself can be
  // passed through, no trim or re-encoding needed; and when a byte scan finds it valid and already normal, without
  // building the event at all (github-event-scan.ts; anything it is not sure of takes the JSON.parse path below).
  const n = payload.length;
  const clean = n > 0 && isVisibleAscii(payload[0]!) && isVisibleAscii(payload[n - 1]!) && isUtf8(payload);
  if (clean && isNormalGithubEvent(payload)) return payload;
  return parsedGithubEvent(payload, clean);
};

/**
 * True when githubEventTransform certainly returns this payload unchanged (its fast path's test). A pure function of
 * the bytes: the collector asks it at ingest, while the record is hot in cache, and marks WAL entries whose records
 * all pass, so delivery can skip them (Collector.ingestEntry).
 */
export function passesGithubTransformUnchanged(payload: Buffer): boolean {
  const n = payload.length;
  return n > 0 && isVisibleAscii(payload[0]!) && isVisibleAscii(payload[n - 1]!) && isUtf8(payload) && isNormalGithubEvent(payload);
}

/** Where a lines entry's table of record lengths starts (src/collector/wal.ts entryTableOffset(0); not imported: this
 * file goes into the Lambda bundle, wal.ts does not). */
const LINES_TABLE = 20;

/**
 * True when every record of a collector "lines" entry passes passesGithubTransformUnchanged. The layout (wal.ts):
 * [8 header][f64 arrivalMs][u32 n][n x u32 LE lengths at 20 + 4i][record_0 "\n" ... record_{n-1} "\n"]. It is checked
 * too: a table or a record (with its "\n") that does not fit in buf is false; bytes after the last "\n" are ignored.
 * n = 0 is true. The JS twin of the native allPassLines (the tests require identical answers).
 */
export function allPassLinesJs(buf: Uint8Array, n: number): boolean {
  if (!(buf instanceof Uint8Array) || !Number.isSafeInteger(n) || n < 0) throw new TypeError('allPassLines(buf: Uint8Array, n: integer >= 0)');
  if (n === 0) return true;
  const len = buf.length;
  if (len < LINES_TABLE || n > (len - LINES_TABLE) / 4) return false;
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let p = LINES_TABLE + 4 * n;
  for (let i = 0; i < n; i++) {
    const r = b.readUInt32LE(LINES_TABLE + 4 * i);
    if (r >= len - p || b[p + r] !== 0x0a) return false;
    if (!passesGithubTransformUnchanged(b.subarray(p, p + r))) return false;
    p += r + 1;
  }
  return true;
}

/**
 * Entries up to this size are scanned on the calling thread (native, ~1 µs per 1.8 KB event): a trip to the pool costs
 * the main thread ~2–10 µs (queueing, waking a pool thread, the callback), about what ~9 events take to scan.
 */
const SYNC_MAX_BYTES = 16 * 1024;

/**
 * allPassLinesJs's verdict, computed off the calling thread (one native call on the libuv pool) when the event-scan
 * addon is used (native-scan.ts) and the entry is larger than SYNC_MAX_BYTES, else on this thread (natively, or by
 * allPassLinesJs when the addon is not used). The caller must not write to buf until it resolves.
 */
export function allPassGithubLines(buf: Uint8Array, n: number): Promise<boolean> {
  const pool = nativeAllPassLines;
  if (pool && buf instanceof Uint8Array && buf.length > SYNC_MAX_BYTES) {
    return new Promise((resolve, reject) => pool(buf, n, (err, allPass) => (err ? reject(err) : resolve(allPass))));
  }
  try {
    return Promise.resolve((nativeAllPassLinesSync ?? allPassLinesJs)(buf, n));
  } catch (e) {
    return Promise.reject(e as Error);
  }
}

/** githubEventTransform without the byte-scan shortcut (tests compare the two). */
export const githubEventTransformParsed: RecordTransform = (payload) => {
  const n = payload.length;
  return parsedGithubEvent(payload, n > 0 && isVisibleAscii(payload[0]!) && isVisibleAscii(payload[n - 1]!) && isUtf8(payload));
};

function parsedGithubEvent(payload: Buffer, clean: boolean): ReturnType<RecordTransform> {
  const text = clean ? payload.toString('utf8') : payload.toString('utf8').trim();
  if (text === '') return null;
  let ev: Record<string, unknown>;
  try {
    ev = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`malformed JSON: ${(e as Error).message}`);
  }
  if (!ev || typeof ev !== 'object' || Array.isArray(ev)) throw new Error('event must be a JSON object');
  const id = ev.id;
  if (!(typeof id === 'string' && DIGITS.test(id)) && !(typeof id === 'number' && Number.isSafeInteger(id))) throw new Error('missing or invalid "id"');
  if (typeof ev.type !== 'string' || !EVENT_TYPE.test(ev.type)) throw new Error('missing or invalid "type"');
  const actor = ev.actor as Record<string, unknown> | undefined;
  if (!actor || typeof actor !== 'object' || typeof actor.id !== 'number' || typeof actor.login !== 'string') throw new Error('missing or invalid "actor" (id, login)');
  const repo = ev.repo as Record<string, unknown> | undefined;
  if (!repo || typeof repo !== 'object' || typeof repo.id !== 'number' || typeof repo.name !== 'string') throw new Error('missing or invalid "repo" (id, name)');
  const createdAt = normalTimestamp(ev.created_at);
  if (createdAt === undefined) throw new Error('missing or invalid "created_at"');
  // Already normal (the common case): keep the exact bytes as received, and skip re-serialising; unless they hold line
  // breaks (whitespace between tokens, as JSON strings cannot hold raw ones): the output must be one NDJSON line.
  if (typeof id === 'string' && ev.created_at === createdAt && !text.includes('\n') && !text.includes('\r')) {
    if (clean) return payload;
    return Buffer.byteLength(text) === payload.length && isUtf8(payload) ? payload : text;
  }
  return { ...ev, id: String(id), created_at: createdAt };
}

const DIGITS = /^\d+$/;
const EVENT_TYPE = /^[A-Za-z]+Event$/;
const NORMAL_TS = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Not something String.prototype.trim would remove (ASCII or Unicode whitespace). */
function isVisibleAscii(c: number): boolean {
  return c > 0x20 && c < 0x7f;
}

/**
 * created_at as "YYYY-MM-DDTHH:MM:SSZ" (UTC), or undefined when it is not a timestamp. A value already in that form
 * is checked field by field (the common case, without a Date round trip); anything else goes through Date.parse.
 */
function normalTimestamp(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = NORMAL_TS.exec(v);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= (mo === 2 && !leap ? 28 : DAYS[mo - 1]!) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60) return v;
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Lambda handler deployed by the CDK stack as the Firehose processor. */
export async function handler(event: FirehoseTransformEvent): Promise<FirehoseTransformResponse> {
  const res = runTransform(event, githubEventTransform);
  // Firehose rejects unknown fields? It ignores them, but keep the wire response to the documented shape.
  return { records: res.records.map(({ recordId, result, data }) => ({ recordId, result, data })) };
}
