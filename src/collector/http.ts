// The collector's HTTP API (registered by the `collector` serve plugin):
//   POST /firehose/PutRecordBatch   {DeliveryStreamName?, Records:[{Data: base64}]}  → 200 {FailedPutCount, Encrypted, RequestResponses}
//   POST /firehose/PutRecord        {DeliveryStreamName?, Record:{Data: base64}}      → 200 {RecordId, Encrypted}
//   POST /firehose                  the same two, chosen by the X-Amz-Target header (Firehose_20150804.PutRecordBatch)
//   POST /v1/events                 NDJSON body, one record per non-empty line        → 200 {accepted, failed, failures}
// The common PutRecordBatch body is not JSON-parsed: it is scanned for where each Data string lies and decoded from
// there straight into the WAL entry (batch-body.ts, batch-entry.ts); other bodies take the JSON.parse path.
// Limits as Firehose: ≤ 500 records and ≤ 4 MiB of decoded data per call, ≤ 1,000 KiB per record. A bad record fails
// alone (200 with ErrorCode in its slot); a bad call fails whole (4xx). Acks wait for the WAL fsync.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EventlakeError } from '../core/errors.ts';
import type { ProducerKeys } from './auth.ts';
import { keyFromHeaders } from './auth.ts';
import { scanBatchBody, type ScannedBatch } from './batch-body.ts';
import { decodeBatchEntry, estimateEntryBytes } from './batch-entry.ts';
import { BufferPool } from './buffer-pool.ts';
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

/** A batch body the scanner understood: the raw bytes and where each record's Data lies in them. */
class ScannedBody {
  constructor(
    public raw: Buffer | undefined,
    readonly scan: ScannedBatch,
    /** Pooled buffer holding raw. */
    public backing: Buffer | undefined,
  ) {}
}

const tooLarge = () => Object.assign(new Error('request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });

/**
 * Reads a request body into a pooled buffer (fastify's reader would concatenate the chunks into a new one per
 * request); same checks as fastify's: the body limit (413) and a body shorter or longer than Content-Length (400).
 */
function readPooled(req: FastifyRequest, payload: NodeJS.ReadableStream, pool: BufferPool, limit: number, cb: (err: Error | null, body?: Buffer, backing?: Buffer) => void): void {
  const cl = Number(req.headers['content-length']);
  const declared = req.headers['content-length'] !== undefined && Number.isSafeInteger(cl) && cl >= 0 ? cl : undefined;
  if (declared !== undefined && declared > limit) {
    payload.resume();
    return cb(tooLarge());
  }
  let buf: Buffer | undefined = pool.take(declared ?? 1024 * 1024);
  let len = 0;
  let settled = false;
  const finish = (err: Error | null) => {
    if (settled) return;
    settled = true;
    if (err) {
      pool.give(buf);
      buf = undefined;
      payload.resume(); // drain the rest
      return cb(err);
    }
    cb(null, buf!.subarray(0, len), buf);
  };
  payload.on('data', (c: Buffer) => {
    if (settled) return;
    if (len + c.length > limit) return finish(tooLarge());
    if (len + c.length > buf!.length) {
      const bigger = pool.take(Math.max(len + c.length, buf!.length * 2));
      buf!.copy(bigger, 0, 0, len);
      pool.give(buf);
      buf = bigger;
    }
    len += c.copy(buf!, len);
  });
  payload.on('end', () => {
    if (declared !== undefined && len !== declared) return finish(Object.assign(new Error('Request body size did not match Content-Length'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' }));
    finish(null);
  });
  payload.on('error', (e: Error) => finish(Object.assign(e, { statusCode: 400 })));
}

type Slot = { ok: true; data: Buffer } | { ok: false; code: string; message: string };

export interface RouteOptions {
  collector: Collector;
  keys: ProducerKeys;
  requireAuth: boolean;
  streamName: string;
  /** Requests being read or waiting for their ack at once; more get 429 (bounds memory). */
  maxInflight: number;
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

  // Batch bodies are read into pooled buffers (buffer-pool.ts) and given to the scanner for the common shape, to
  // JSON.parse otherwise (no prototype-poisoning regex pass over every 5 MB body: handlers only read
  // Records/Record/Data/DeliveryStreamName and never merge the parsed object).
  const bodies = new BufferPool(16);
  const entries = new BufferPool(16);
  const parseJson = (req: FastifyRequest, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: unknown) => void) => {
    readPooled(req, payload, bodies, JSON_BODY_LIMIT, (err, buf, backing) => {
      if (err) return done(err);
      try {
        const scan = scanBatchBody(buf!);
        if (scan) return done(null, new ScannedBody(buf, scan, backing));
        const parsed: unknown = JSON.parse(buf!.toString('utf8'));
        bodies.give(backing);
        done(null, parsed);
      } catch (e) {
        bodies.give(backing);
        done(Object.assign(new Error(`malformed JSON body: ${(e as Error).message}`), { statusCode: 400 }));
      }
    });
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'application/x-amz-json-1.1'], parseJson);
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: NDJSON_BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const type = status < 500 ? 'InvalidArgumentException' : 'InternalFailure';
    const message = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `request body is larger than the limit (${LIMITS.maxBatchBytes} bytes of data per call)` : err.message;
    if (status >= 500) collector.log.error({ err }, 'collector request failed');
    return send(reply, { status, type, message });
  });

  // Memory bound: at most maxInflight request bodies (each ≤ the body limit) are held at once; more get 429 before
  // their body is read.
  let inflight = 0;
  // Authenticate before the body is read: an unauthenticated producer never costs a parse.
  app.addHook('onRequest', async (req, reply) => {
    if (inflight >= o.maxInflight) {
      m.throttled.inc();
      return send(reply, { status: 429, type: 'ServiceUnavailableException', message: `too many requests in flight (${o.maxInflight}): retry after 1s`, headers: { 'retry-after': '1' } });
    }
    inflight++;
    reply.raw.once('close', () => inflight--); // sent or aborted
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

  const checkStream = (body: Record<string, unknown> | ScannedBody) => {
    const name = body instanceof ScannedBody ? body.scan.streamName : body.DeliveryStreamName;
    if (name !== undefined && name !== o.streamName) throw apiError(400, 'ResourceNotFoundException', `delivery stream ${JSON.stringify(name)} not found (this collector serves ${JSON.stringify(o.streamName)})`);
  };

  /** Maps a failure to store records to the API error a producer can act on (429/503 with Retry-After). */
  const storeError = (e: unknown): ApiError & Error => {
    if (e instanceof BufferFullError) return apiError(429, 'ServiceUnavailableException', e.message, { 'retry-after': String(e.retryAfterSeconds) });
    if (e instanceof EventlakeError && e.retryable) return apiError(503, 'ServiceUnavailableException', `records were not stored: ${e.message}`, { 'retry-after': '1' });
    return apiError(503, 'ServiceUnavailableException', `records were not stored: ${(e as Error).message}`, { 'retry-after': '5' });
  };

  const observeAck = (req: FastifyRequest) => {
    if (req.eventlakeStart) m.ackLatency.observe(Number(process.hrtime.bigint() - req.eventlakeStart) / 1e9);
  };

  const slotOf = (rec: unknown): Slot => {
    const data = rec && typeof rec === 'object' ? (rec as { Data?: unknown }).Data : undefined;
    if (data === undefined) return { ok: false, code: 'InvalidArgumentException', message: 'record has no Data' };
    const buf = decodeData(data);
    if (!buf) return { ok: false, code: 'InvalidArgumentException', message: 'Data is not valid base64' };
    if (buf.length > LIMITS.maxRecordBytes) return { ok: false, code: 'InvalidArgumentException', message: `record is ${buf.length} bytes, over the ${LIMITS.maxRecordBytes}-byte limit` };
    return { ok: true, data: buf };
  };

  /**
   * slotOf for a whole batch, decoding every record into one buffer (records are views of it): 500 small buffers
   * less per call, which is most of the garbage an ack makes. Same verdicts as slotOf.
   */
  const decodeAll = (recs: unknown[]): Slot[] => {
    const slots: Slot[] = new Array(recs.length);
    const lens: number[] = new Array(recs.length).fill(-1);
    let total = 0;
    recs.forEach((rec, i) => {
      const data = rec && typeof rec === 'object' ? (rec as { Data?: unknown }).Data : undefined;
      if (data === undefined) slots[i] = { ok: false, code: 'InvalidArgumentException', message: 'record has no Data' };
      else if (typeof data !== 'string' || data.length % 4 !== 0) slots[i] = { ok: false, code: 'InvalidArgumentException', message: 'Data is not valid base64' };
      else {
        const len = (data.length / 4) * 3 - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
        if (len > LIMITS.maxRecordBytes) slots[i] = { ok: false, code: 'InvalidArgumentException', message: `record is ${len} bytes, over the ${LIMITS.maxRecordBytes}-byte limit` };
        else {
          lens[i] = len;
          total += len;
        }
      }
    });
    const big = Buffer.allocUnsafe(total);
    let off = 0;
    recs.forEach((rec, i) => {
      const len = lens[i]!;
      if (len < 0) return;
      // Node skips characters that are not base64, so a short write means invalid Data (as in decodeData).
      const written = len === 0 ? 0 : big.write((rec as { Data: string }).Data, off, len, 'base64');
      if (written !== len) slots[i] = { ok: false, code: 'InvalidArgumentException', message: 'Data is not valid base64' };
      else slots[i] = { ok: true, data: big.subarray(off, off + len) };
      off += len;
    });
    return slots;
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
    let w: { seq: number; offset: number };
    try {
      w = await collector.ingest(good, req.producer ?? 'anonymous');
    } catch (e) {
      throw storeError(e);
    }
    index.forEach((slot, k) => (ids[slot] = `${collector.walId}-${w.seq}-${w.offset}-${k}`));
    observeAck(req);
    return ids;
  };

  /**
   * PutRecordBatch for a scanned body: decode into one WAL entry, drop the body, wait for the fsync, and write the
   * response JSON directly (500 RecordIds sharing one prefix).
   */
  const putScannedBatch = async (req: FastifyRequest, reply: FastifyReply, body: ScannedBody): Promise<string> => {
    const { scan } = body;
    const arrivalMs = Date.now();
    let d: ReturnType<typeof decodeBatchEntry>;
    try {
      checkStream(body);
      if (!scan.hasRecords || scan.count === 0) throw apiError(400, 'InvalidArgumentException', 'Records must be a non-empty array of {Data: base64}');
      if (scan.count > LIMITS.maxRecords) throw apiError(400, 'InvalidArgumentException', `${scan.count} records in one call, over the limit of ${LIMITS.maxRecords}`);
      try {
        collector.checkRoom(estimateEntryBytes(scan)); // refuse before spending CPU on a batch that cannot be stored
      } catch (e) {
        throw storeError(e);
      }
      d = decodeBatchEntry(body.raw!, scan, arrivalMs, LIMITS.maxRecordBytes, entries, undefined, collector.entryLayout);
    } finally {
      // The request body is not needed while the ack waits for the disk: its buffer serves the next request.
      bodies.give(body.backing);
      body.raw = body.backing = undefined;
    }
    if (d.failures) for (const f of d.failures) if (f) m.rejected.inc({ reason: f.code });
    if (d.rawBytes > LIMITS.maxBatchBytes) {
      entries.give(d.backing);
      throw apiError(413, 'InvalidArgumentException', `the call carries ${d.rawBytes} bytes of data, over the ${LIMITS.maxBatchBytes}-byte limit per call`);
    }
    let prefix = '';
    if (d.entry) {
      let w: { seq: number; offset: number };
      try {
        w = await collector.ingestEntry(d.entry, d.count, d.rawBytes, req.producer ?? 'anonymous', arrivalMs);
      } catch (e) {
        throw storeError(e);
      } finally {
        entries.give(d.backing); // written (or refused): the WAL holds no reference any more
      }
      prefix = `${collector.walId}-${w.seq}-${w.offset}-`;
      observeAck(req);
    }
    const parts: string[] = new Array(scan.count);
    let k = 0;
    let failed = 0;
    for (let i = 0; i < scan.count; i++) {
      const f = d.failures?.[i];
      if (f) {
        failed++;
        parts[i] = `{"ErrorCode":${JSON.stringify(f.code)},"ErrorMessage":${JSON.stringify(f.message)}}`;
      } else parts[i] = `{"RecordId":"${prefix}${k++}"}`;
    }
    void reply.type('application/json; charset=utf-8');
    return `{"FailedPutCount":${failed},"Encrypted":false,"RequestResponses":[${parts.join(',')}]}`;
  };

  const putRecordBatch = async (req: FastifyRequest, reply: FastifyReply, body: Record<string, unknown> | ScannedBody) => {
    if (body instanceof ScannedBody) return putScannedBatch(req, reply, body);
    checkStream(body);
    const recs = body.Records;
    if (!Array.isArray(recs) || recs.length === 0) throw apiError(400, 'InvalidArgumentException', 'Records must be a non-empty array of {Data: base64}');
    if (recs.length > LIMITS.maxRecords) throw apiError(400, 'InvalidArgumentException', `${recs.length} records in one call, over the limit of ${LIMITS.maxRecords}`);
    const slots = decodeAll(recs);
    const ids = await ingest(req, slots);
    let failed = 0;
    const RequestResponses = slots.map((s, i) => {
      if (s.ok) return { RecordId: ids[i]! };
      failed++;
      return { ErrorCode: s.code, ErrorMessage: s.message };
    });
    return { FailedPutCount: failed, Encrypted: false, RequestResponses };
  };

  const putRecord = async (req: FastifyRequest, body: Record<string, unknown> | ScannedBody) => {
    if (body instanceof ScannedBody) body = body.scan.streamName === undefined ? {} : { DeliveryStreamName: body.scan.streamName }; // no Record key
    checkStream(body);
    const s = slotOf(body.Record);
    if (!s.ok) {
      m.rejected.inc({ reason: s.code });
      throw apiError(400, s.code, s.message);
    }
    const ids = await ingest(req, [s]);
    return { RecordId: ids[0]!, Encrypted: false };
  };

  const bodyObject = (req: FastifyRequest): Record<string, unknown> | ScannedBody => {
    const b = req.body;
    if (b instanceof ScannedBody) return b;
    if (!b || typeof b !== 'object' || Array.isArray(b) || Buffer.isBuffer(b)) throw apiError(400, 'InvalidArgumentException', 'expected a JSON object body (Content-Type: application/json or application/x-amz-json-1.1)');
    return b as Record<string, unknown>;
  };

  const wrap = (fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return await fn(req, reply);
    } catch (e) {
      if ((e as ApiError).status && (e as ApiError).type) return send(reply, e as ApiError);
      throw e;
    }
  };

  const opts = { bodyLimit: JSON_BODY_LIMIT };
  app.post('/firehose/PutRecordBatch', opts, wrap((req, reply) => putRecordBatch(req, reply, bodyObject(req))));
  app.post('/firehose/PutRecord', opts, wrap((req) => putRecord(req, bodyObject(req))));
  app.post(
    '/firehose',
    opts,
    wrap(async (req, reply) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target.endsWith('.PutRecordBatch')) return putRecordBatch(req, reply, bodyObject(req));
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
