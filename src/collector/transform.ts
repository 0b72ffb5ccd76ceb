// The collector's preprocessing hook, with Firehose's Lambda contract. "github" and "none" run in-process on raw
// buffers; any other value is a module path whose exported `handler` is called with the real Lambda event shape
// (base64 records), so the very function deployed as the Firehose processor Lambda runs here unchanged.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EventlakeError } from '../core/errors.ts';
import {
  githubEventTransform,
  transformRecord,
  type FirehoseTransformEvent,
  type FirehoseTransformResponse,
  type RecordOutcome,
  type RecordTransform,
} from './firehose-transform.ts';

export interface TransformInput {
  recordId: string;
  arrivalMs: number;
  data: Buffer;
}

/** Transforms a chunk of records; returns one outcome per input record, in input order. */
export type BatchTransform = (records: TransformInput[]) => Promise<RecordOutcome[]>;

const passThrough: RecordTransform = (payload) => {
  const text = payload.toString('utf8');
  return text.trim() === '' ? null : text;
};

/** A synchronous loop apart from the async contract: V8 optimises it (with the transform inlined) once. */
function transformAll(fn: RecordTransform, records: TransformInput[]): RecordOutcome[] {
  const outs: RecordOutcome[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) outs[i] = transformRecord(fn, records[i]!.data, false);
  return outs;
}

function inProcess(fn: RecordTransform): BatchTransform {
  return (records) => Promise.resolve(transformAll(fn, records));
}

/** Wraps a Lambda-style handler; a response that breaks the contract fails the affected records, as Firehose does. */
export function lambdaTransform(handler: (e: FirehoseTransformEvent) => Promise<FirehoseTransformResponse> | FirehoseTransformResponse, arn = 'arn:eventlake:collector'): BatchTransform {
  let invocation = 0;
  return async (records) => {
    const event: FirehoseTransformEvent = {
      invocationId: `eventlake-${process.pid}-${++invocation}`,
      deliveryStreamArn: arn,
      region: 'local',
      records: records.map((r) => ({ recordId: r.recordId, approximateArrivalTimestamp: r.arrivalMs, data: r.data.toString('base64') })),
    };
    let res: FirehoseTransformResponse;
    try {
      res = await handler(event);
    } catch (e) {
      return records.map(() => ({ result: 'ProcessingFailed' as const, errorMessage: `Lambda.FunctionError: ${(e as Error).message}` }));
    }
    const byId = new Map((res?.records ?? []).map((o) => [o.recordId, o]));
    return records.map((r) => {
      const o = byId.get(r.recordId);
      if (!o) return { result: 'ProcessingFailed' as const, errorMessage: 'Lambda.MissingRecordId: the transform response has no record with this recordId' };
      if (o.result === 'Ok') {
        if (typeof o.data !== 'string') return { result: 'ProcessingFailed' as const, errorMessage: 'Lambda.InvalidData: Ok record without base64 data' };
        return { result: 'Ok' as const, data: Buffer.from(o.data, 'base64') };
      }
      if (o.result === 'Dropped') return { result: 'Dropped' as const };
      if (o.result === 'ProcessingFailed') return { result: 'ProcessingFailed' as const, errorMessage: o.errorMessage ?? 'ProcessingFailed returned by the transform' };
      return { result: 'ProcessingFailed' as const, errorMessage: `Lambda.InvalidResult: ${String((o as { result?: unknown }).result)}` };
    });
  };
}

export async function loadTransform(spec: string, baseDir: string): Promise<BatchTransform> {
  if (spec === 'github') return inProcess(githubEventTransform);
  if (spec === 'none') return inProcess(passThrough);
  const path = isAbsolute(spec) ? spec : resolve(baseDir, spec);
  let mod: { handler?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { handler?: unknown };
  } catch (e) {
    throw new EventlakeError(`cannot load collector.transform module ${path}: ${(e as Error).message}`, { step: 'collector.transform', code: 'CONFIG', cause: e, next: 'set collector.transform to github, none, or a module exporting handler(event)' });
  }
  if (typeof mod.handler !== 'function') {
    throw new EventlakeError(`collector.transform module ${path} exports no handler(event) function`, { step: 'collector.transform', code: 'CONFIG', next: 'export async function handler(event) { return { records: [...] } } from the module' });
  }
  return lambdaTransform(mod.handler as Parameters<typeof lambdaTransform>[0]);
}
