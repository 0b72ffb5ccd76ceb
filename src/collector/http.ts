// The collector's HTTP API (registered by the `collector` serve plugin):
//   POST /firehose/PutRecordBatch   {DeliveryStreamName?, Records:[{Data: base64}]}  → 200 {FailedPutCount, Encrypted, RequestResponses}
//   POST /firehose/PutRecord        {DeliveryStreamName?, Record:{Data: base64}}      → 200 {RecordId, Encrypted}
//   POST /firehose                  the same two, chosen by the X-Amz-Target header (Firehose_20150804.PutRecordBatch)
//   POST /v1/events                 NDJSON body, one record per non-empty line        → 200 {accepted, failed, failures}
// Limits as Firehose: ≤ 500 records and ≤ 4 MiB of decoded data per call, ≤ 1,000 KiB per record. A bad record fails
// alone (200 with ErrorCode in its slot); a bad call fails whole (4xx). Acks wait for the WAL fsync.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EventlakeError } from '../core/errors.ts';
import type { ProducerKeys } from './auth.ts';
import { keyFromHeaders } from './auth.ts';
import { BufferFullError, type Collector } from './collector.ts';

export const LIMITS = Object.freeze({
  maxRecords: 500,
  maxRecordBytes: 1000 * 1024,
  maxBatchBytes: 4 * 1024 * 1024,
});
// base64 grows data by 4/3; leave room for JSON framing of 500 records.
const JSON_BODY_LIMIT = Math.ceil((LIMITS.maxBatchBytes * 4) / 3) + 256 * 1024;
const NDJSON_BODY_LIMIT = LIMITS.maxBatchBytes + 64 * 1024;

type ApiError = { status: number; type: string; message: string; headers?: Record<string, string> };

function apiError(status: number, type: string, message: string, headers?: Record<string, string>): ApiError & Error {
  return Object.assign(new Error(message), { status, type, headers });
}

function send(reply: FastifyReply, e: ApiError): FastifyReply {
  if (e.headers) for (const [k, v] of Object.entries(e.headers)) void reply.header(k, v);
  return reply.status(e.status).send({ __type: e.type, message: e.message });
}

/** Decodes Firehose's base64 Data; undefined when it is not valid base64. */
export function decodeData(s: unknown): Buffer | undefined {
  if (typeof s !== 'string' || s.length % 4 !== 0) return undefined;
  const buf = Buffer.from(s, 'base64');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return buf.length === (s.length / 4) * 3 - pad ? buf : undefined; // Node skips invalid characters: lengths differ
}

type Slot = { ok: true; data: Buffer } | { ok: false; code: string; message: string };

export interface RouteOptions {
  collector: Collector;
  keys: ProducerKeys;
  requireAuth: boolean;
  streamName: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    eventlakeStart?: bigint;
    producer?: string;
  }
}

export function registerCollectorRoutes(app: FastifyInstance, o: RouteOptions): void {
  const { collector } = o;
  const m = collector.metrics;

  app.addContentTypeParser('application/x-amz-json-1.1', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT }, app.getDefaultJsonParser('error', 'ignore'));
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: NDJSON_BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const type = status === 413 ? 'InvalidArgumentException' : status === 415 ? 'InvalidArgumentException' : status === 400 ? 'InvalidArgumentException' : status < 500 ? 'InvalidArgumentException' : 'InternalFailure';
    const message = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `request body is larger than the limit (${LIMITS.maxBatchBytes} bytes of data per call)` : err.message;
    if (status >= 500) collector.log.error({ err }, 'collector request failed');
    return send(reply, { status, type, message });
  });

  // Authenticate before the body is read: an unauthenticated producer never costs a parse.
  app.addHook('onRequest', async (req, reply) => {
    req.eventlakeStart = process.hrtime.bigint();
    if (!o.requireAuth) {
      req.producer = 'anonymous';
      return;
    }
    const key = keyFromHeaders(req.headers);
    const producer = await o.keys.verify(key);
    if (!producer) {
      void reply.header('www-authenticate', 'Bearer realm="eventlake-collector"');
      return send(reply, {
        status: 401,
        type: 'AccessDeniedException',
        message: key ? 'unknown API key' : 'missing API key: send Authorization: Bearer <key> (create one with `eventlake collector add-producer <name>`)',
      });
    }
    req.producer = producer;
  });

  const checkStream = (body: Record<string, unknown>) => {
    const name = body.DeliveryStreamName;
    if (name !== undefined && name !== o.streamName) throw apiError(400, 'ResourceNotFoundException', `delivery stream ${JSON.stringify(name)} not found (this collector serves ${JSON.stringify(o.streamName)})`);
  };

  const slotOf = (rec: unknown): Slot => {
    const data = rec && typeof rec === 'object' ? (rec as { Data?: unknown }).Data : undefined;
    if (data === undefined) return { ok: false, code: 'InvalidArgumentException', message: 'record has no Data' };
    const buf = decodeData(data);
    if (!buf) return { ok: false, code: 'InvalidArgumentException', message: 'Data is not valid base64' };
    if (buf.length > LIMITS.maxRecordBytes) return { ok: false, code: 'InvalidArgumentException', message: `record is ${buf.length} bytes, over the ${LIMITS.maxRecordBytes}-byte limit` };
    return { ok: true, data: buf };
  };

  /** Ingests the good slots; returns record ids per slot index. Throws ApiError for whole-call failures. */
  const ingest = async (req: FastifyRequest, slots: Slot[]): Promise<(string | undefined)[]> => {
    let total = 0;
    const good: Buffer[] = [];
    const index: number[] = [];
    slots.forEach((s, i) => {
      if (s.ok) {
        total += s.data.length;
        good.push(s.data);
        index.push(i);
      } else m.rejected.inc({ reason: s.code });
    });
    if (total > LIMITS.maxBatchBytes) throw apiError(413, 'InvalidArgumentException', `the call carries ${total} bytes of data, over the ${LIMITS.maxBatchBytes}-byte limit per call`);
    const ids: (string | undefined)[] = new Array(slots.length);
    if (good.length === 0) return ids;
    let w: ReturnType<Collector['ingest']>;
    try {
      w = collector.ingest(good, req.producer ?? 'anonymous');
    } catch (e) {
      if (e instanceof BufferFullError) throw apiError(429, 'ServiceUnavailableException', e.message, { 'retry-after': String(e.retryAfterSeconds) });
      if (e instanceof EventlakeError && e.retryable) throw apiError(503, 'ServiceUnavailableException', e.message, { 'retry-after': '1' });
      throw e;
    }
    try {
      await w.done;
    } catch (e) {
      throw apiError(503, 'ServiceUnavailableException', `records were not stored: ${(e as Error).message}`, { 'retry-after': '5' });
    }
    index.forEach((slot, k) => (ids[slot] = `${collector.walId}-${w.seq}-${w.offset}-${k}`));
    if (req.eventlakeStart) m.ackLatency.observe(Number(process.hrtime.bigint() - req.eventlakeStart) / 1e9);
    return ids;
  };

  const putRecordBatch = async (req: FastifyRequest, body: Record<string, unknown>) => {
    checkStream(body);
    const recs = body.Records;
    if (!Array.isArray(recs) || recs.length === 0) throw apiError(400, 'InvalidArgumentException', 'Records must be a non-empty array of {Data: base64}');
    if (recs.length > LIMITS.maxRecords) throw apiError(400, 'InvalidArgumentException', `${recs.length} records in one call, over the limit of ${LIMITS.maxRecords}`);
    const slots = recs.map(slotOf);
    const ids = await ingest(req, slots);
    let failed = 0;
    const RequestResponses = slots.map((s, i) => {
      if (s.ok) return { RecordId: ids[i]! };
      failed++;
      return { ErrorCode: s.code, ErrorMessage: s.message };
    });
    return { FailedPutCount: failed, Encrypted: false, RequestResponses };
  };

  const putRecord = async (req: FastifyRequest, body: Record<string, unknown>) => {
    checkStream(body);
    const s = slotOf(body.Record);
    if (!s.ok) {
      m.rejected.inc({ reason: s.code });
      throw apiError(400, s.code, s.message);
    }
    const ids = await ingest(req, [s]);
    return { RecordId: ids[0]!, Encrypted: false };
  };

  const bodyObject = (req: FastifyRequest): Record<string, unknown> => {
    const b = req.body;
    if (!b || typeof b !== 'object' || Array.isArray(b) || Buffer.isBuffer(b)) throw apiError(400, 'InvalidArgumentException', 'expected a JSON object body (Content-Type: application/json or application/x-amz-json-1.1)');
    return b as Record<string, unknown>;
  };

  const wrap = (fn: (req: FastifyRequest) => Promise<unknown>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return await fn(req);
    } catch (e) {
      if ((e as ApiError).status && (e as ApiError).type) return send(reply, e as ApiError);
      throw e;
    }
  };

  const opts = { bodyLimit: JSON_BODY_LIMIT };
  app.post('/firehose/PutRecordBatch', opts, wrap((req) => putRecordBatch(req, bodyObject(req))));
  app.post('/firehose/PutRecord', opts, wrap((req) => putRecord(req, bodyObject(req))));
  app.post(
    '/firehose',
    opts,
    wrap(async (req) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target.endsWith('.PutRecordBatch')) return putRecordBatch(req, bodyObject(req));
      if (target.endsWith('.PutRecord')) return putRecord(req, bodyObject(req));
      throw apiError(400, 'UnknownOperationException', `unsupported X-Amz-Target ${JSON.stringify(target)}: PutRecord and PutRecordBatch are served`);
    }),
  );

  app.post(
    '/v1/events',
    { bodyLimit: NDJSON_BODY_LIMIT },
    wrap(async (req) => {
      const raw = req.body;
      const buf = Buffer.isBuffer(raw) ? raw : typeof raw === 'string' ? Buffer.from(raw) : undefined;
      if (!buf) throw apiError(415, 'InvalidArgumentException', 'send NDJSON with Content-Type: application/x-ndjson (one event per line)');
      const slots: Slot[] = [];
      const lines: number[] = [];
      let start = 0;
      let line = 0;
      while (start < buf.length) {
        let end = buf.indexOf(10, start);
        if (end < 0) end = buf.length;
        line++;
        let rec = buf.subarray(start, end);
        if (rec.length && rec[rec.length - 1] === 13) rec = rec.subarray(0, rec.length - 1);
        start = end + 1;
        if (rec.length === 0 || rec.toString('latin1').trim() === '') continue;
        lines.push(line);
        slots.push(rec.length > LIMITS.maxRecordBytes ? { ok: false, code: 'InvalidArgumentException', message: `line is ${rec.length} bytes, over the ${LIMITS.maxRecordBytes}-byte limit` } : { ok: true, data: rec });
        if (slots.length > LIMITS.maxRecords) throw apiError(400, 'InvalidArgumentException', `more than ${LIMITS.maxRecords} events in one call`);
      }
      if (slots.length === 0) throw apiError(400, 'InvalidArgumentException', 'the body holds no events (expected NDJSON: one JSON event per line)');
      const ids = await ingest(req, slots);
      const failures = slots.flatMap((s, i) => (s.ok ? [] : [{ line: lines[i]!, error: s.code, message: s.message }]));
      return { accepted: slots.length - failures.length, failed: failures.length, failures, recordIds: ids.filter((x): x is string => x !== undefined) };
    }),
  );
}
