// Per-line validation for files the fast DuckDB read rejected: every line is either normalized to the explicit
// schema (written to a clean NDJSON file DuckDB then reads strictly) or rejected with a reason.
// The coercions mirror DuckDB's read_ndjson with explicit columns, so a record is accepted the same way on the
// fast path and here: scalars into VARCHAR become text, numeric strings into numbers, objects into VARCHAR become
// JSON text (except for required keys such as uuid, where an object means a broken record).
import type { Field } from './schema.ts';

const TS_RE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;
const INT_RE = /^-?\d+$/;

export class RecordError extends Error {}

function coerce(f: Field, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (f.type) {
    case 'JSON':
      return v;
    case 'VARCHAR':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      if (f.required) throw new RecordError(`wrong type for ${f.key}: expected string, got ${Array.isArray(v) ? 'array' : typeof v}`);
      return JSON.stringify(v);
    case 'BIGINT':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'string' && INT_RE.test(v.trim())) return Number(v.trim());
      if (typeof v === 'boolean') return v ? 1 : 0;
      throw new RecordError(`wrong type for ${f.key}: expected integer, got ${JSON.stringify(v).slice(0, 40)}`);
    case 'DOUBLE':
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      throw new RecordError(`wrong type for ${f.key}: expected number, got ${JSON.stringify(v).slice(0, 40)}`);
    case 'BOOLEAN':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      throw new RecordError(`wrong type for ${f.key}: expected boolean, got ${JSON.stringify(v).slice(0, 40)}`);
    case 'TIMESTAMP':
      if (typeof v === 'string' && TS_RE.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T').slice(0, 23) + 'Z'))) return v;
      throw new RecordError(`wrong type for ${f.key}: expected "YYYY-MM-DD HH:MM:SS[.ffffff]", got ${JSON.stringify(v).slice(0, 40)}`);
  }
}

/** Normalizes one parsed record to the schema; throws RecordError with the reason when it cannot. */
export function normalizeRecord(fields: readonly Field[], rec: unknown): Record<string, unknown> {
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
    throw new RecordError(`not a JSON object (got ${rec === null ? 'null' : Array.isArray(rec) ? 'array' : typeof rec})`);
  }
  const o = rec as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = o[f.key];
    if (f.required && (v === undefined || v === null || v === '')) throw new RecordError(`missing key ${f.key}`);
    out[f.key] = coerce(f, v);
  }
  return out;
}
