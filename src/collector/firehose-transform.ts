// The Firehose data-transformation Lambda contract, shared by the embedded collector and the real Lambda.
// in:  {invocationId, deliveryStreamArn, region, records:[{recordId, approximateArrivalTimestamp, data(base64)}]}
// out: {records:[{recordId, result: 'Ok'|'Dropped'|'ProcessingFailed', data(base64)}]}
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

/** A per-record transform: returns the new payload (string/object), null to drop, or throws to fail the record. */
export type RecordTransform = (payload: Buffer) => string | Record<string, unknown> | null;

export interface RecordOutcome {
  result: TransformResult;
  /** The new payload (newline-terminated) when Ok. */
  data?: Buffer;
  errorMessage?: string;
}

/** Applies a per-record transform to one payload (the core of runTransform, without base64 round trips). */
export function transformRecord(fn: RecordTransform, payload: Buffer): RecordOutcome {
  try {
    const out = fn(payload);
    if (out === null) return { result: 'Dropped' };
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
  const text = payload.toString('utf8').trim();
  if (text === '') return null;
  let ev: Record<string, unknown>;
  try {
    ev = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`malformed JSON: ${(e as Error).message}`);
  }
  if (!ev || typeof ev !== 'object' || Array.isArray(ev)) throw new Error('event must be a JSON object');
  const id = ev.id;
  if (!(typeof id === 'string' && /^\d+$/.test(id)) && !(typeof id === 'number' && Number.isSafeInteger(id))) throw new Error('missing or invalid "id"');
  if (typeof ev.type !== 'string' || !/^[A-Za-z]+Event$/.test(ev.type)) throw new Error('missing or invalid "type"');
  const actor = ev.actor as Record<string, unknown> | undefined;
  if (!actor || typeof actor !== 'object' || typeof actor.id !== 'number' || typeof actor.login !== 'string') throw new Error('missing or invalid "actor" (id, login)');
  const repo = ev.repo as Record<string, unknown> | undefined;
  if (!repo || typeof repo !== 'object' || typeof repo.id !== 'number' || typeof repo.name !== 'string') throw new Error('missing or invalid "repo" (id, name)');
  const created = typeof ev.created_at === 'string' ? Date.parse(ev.created_at) : NaN;
  if (Number.isNaN(created)) throw new Error('missing or invalid "created_at"');
  const createdAt = new Date(created).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Already normal (the common case): keep the exact bytes as received, and skip re-serialising.
  if (typeof id === 'string' && ev.created_at === createdAt) return text;
  return { ...ev, id: String(id), created_at: createdAt };
};

/** The Lambda handler deployed by the CDK stack as the Firehose processor. */
export async function handler(event: FirehoseTransformEvent): Promise<FirehoseTransformResponse> {
  const res = runTransform(event, githubEventTransform);
  // Firehose rejects unknown fields? It ignores them, but keep the wire response to the documented shape.
  return { records: res.records.map(({ recordId, result, data }) => ({ recordId, result, data })) };
}
