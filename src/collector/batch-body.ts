// A fast reader for the one body shape that carries almost all traffic:
//   {"DeliveryStreamName":"…","Records":[{"Data":"<base64>"},…]}   (any key order, any JSON whitespace)
// It finds string ends with memchr-speed indexOf on the raw bytes and returns only where each Data string lies in
// the body (no JS object or string per record: batch-entry.ts decodes from these spans straight into the WAL entry,
// which keeps garbage collection off the ack path). It returns undefined for anything
// else (escapes, other keys, other value types, bad JSON): the caller then uses JSON.parse. One difference from
// JSON.parse: a string holding raw control or non-ASCII bytes is accepted as bytes; in a Data value that is invalid
// base64 either way, so that record fails alone instead of the whole call.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export interface ScannedBatch {
  streamName?: string;
  /** False when the body has no Records key at all. */
  hasRecords: boolean;
  /** Number of records. */
  count: number;
  /** [start, end) byte offsets of record i's Data string (without quotes) at 2i, 2i+1. */
  spans: Int32Array;
}

function ws(b: Buffer, p: number): number {
  while (p < b.length) {
    const c = b[p]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p++;
  }
  return p;
}

/** Position after the closing quote of a string starting at p, or -1. */
function strEnd(b: Buffer, p: number): number {
  if (b[p] !== QUOTE) return -1;
  const end = b.indexOf(QUOTE, p + 1);
  return end < 0 ? -1 : end + 1;
}

/** True when the string at [p, end) (quotes included) equals the ASCII key. */
function keyIs(b: Buffer, p: number, end: number, key: string): boolean {
  if (end - p - 2 !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (b[p + 1 + i] !== key.charCodeAt(i)) return false;
  return true;
}

export function scanBatchBody(b: Buffer): ScannedBatch | undefined {
  // Escapes need real JSON decoding: leave those bodies to JSON.parse.
  if (b.includes(BACKSLASH)) return undefined;
  let streamName: string | undefined;
  let spans: Int32Array | undefined;
  let count = 0;
  let p = ws(b, 0);
  if (b[p++] !== 0x7b) return undefined; // {
  p = ws(b, p);
  if (b[p] === 0x7d) return ws(b, p + 1) === b.length ? { hasRecords: false, count: 0, spans: new Int32Array(0) } : undefined;
  for (;;) {
    const ks = ws(b, p);
    const ke = strEnd(b, ks);
    if (ke < 0) return undefined;
    p = ws(b, ke);
    if (b[p++] !== 0x3a) return undefined; // :
    p = ws(b, p);
    if (keyIs(b, ks, ke, 'DeliveryStreamName')) {
      const ve = strEnd(b, p);
      if (ve < 0 || streamName !== undefined) return undefined;
      streamName = b.toString('latin1', p + 1, ve - 1);
      p = ve;
    } else if (keyIs(b, ks, ke, 'Records')) {
      if (spans || b[p++] !== 0x5b) return undefined; // [ (a duplicate Records key goes to JSON.parse)
      let cap = 64;
      spans = new Int32Array(cap * 2);
      p = ws(b, p);
      if (b[p] === 0x5d) p++;
      else {
        for (;;) {
          p = ws(b, p);
          if (b[p] !== 0x7b) return undefined;
          p = ws(b, p + 1);
          const dke = strEnd(b, p);
          if (dke < 0 || !keyIs(b, p, dke, 'Data')) return undefined;
          p = ws(b, dke);
          if (b[p++] !== 0x3a) return undefined;
          const vs = ws(b, p);
          const ve = strEnd(b, vs);
          if (ve < 0) return undefined;
          p = ws(b, ve);
          if (b[p++] !== 0x7d) return undefined; // }
          if (count === cap) {
            cap *= 2;
            const grown = new Int32Array(cap * 2);
            grown.set(spans);
            spans = grown;
          }
          spans[2 * count] = vs + 1;
          spans[2 * count + 1] = ve - 1;
          count++;
          p = ws(b, p);
          const c = b[p++];
          if (c === 0x5d) break; // ]
          if (c !== 0x2c) return undefined; // ,
        }
      }
    } else return undefined;
    p = ws(b, p);
    const c = b[p++];
    if (c === 0x7d) {
      if (ws(b, p) !== b.length) return undefined;
      const out: ScannedBatch = { hasRecords: spans !== undefined, count, spans: spans ?? new Int32Array(0) };
      if (streamName !== undefined) out.streamName = streamName;
      return out;
    }
    if (c !== 0x2c) return undefined;
  }
}

/** The scanned body as JSON.parse would return it (the generic path; tests compare the two). */
export function fastBatchBody(b: Buffer): Record<string, unknown> | undefined {
  const s = scanBatchBody(b);
  if (!s) return undefined;
  const out: Record<string, unknown> = {};
  if (s.streamName !== undefined) out.DeliveryStreamName = s.streamName;
  if (s.hasRecords) out.Records = Array.from({ length: s.count }, (_, i) => ({ Data: b.toString('latin1', s.spans[2 * i]!, s.spans[2 * i + 1]!) }));
  return out;
}
