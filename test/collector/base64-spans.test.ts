import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { base64Addon, nativeBase64Problem, nativeDecodeSpans } from '../../src/collector/native-base64.ts';
import { decodeBatchEntry, decodeSpansWithNode, defaultSpanDecoder, type SpanDecoder } from '../../src/collector/batch-entry.ts';
import { scanBatchBody } from '../../src/collector/batch-body.ts';
import { fixtureLines } from './helpers.ts';

// Skipped only when Node's decoder is asked for; a missing build fails (npm ci builds it).
const off = process.env.EVENTLAKE_NATIVE_BASE64 === '0' ? 'EVENTLAKE_NATIVE_BASE64=0' : false;
const cpuHasAvx2 = /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));

test('base64 spans: the native decoder is built, loads, and is used when this CPU has AVX2', { skip: off }, () => {
  assert.ok(base64Addon, nativeBase64Problem);
  assert.equal(base64Addon.simd, cpuHasAvx2);
  assert.equal(defaultSpanDecoder === nativeDecodeSpans, cpuHasAvx2);
  assert.equal(nativeBase64Problem, cpuHasAvx2 ? undefined : "this CPU has no AVX2 (the scalar decoder is slower than Node's)");
});

/** A seeded PRNG (mulberry32): the same cases on every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRANGE = ['!', ' ', '\n', '=', '==', '-', '_', '.', '"', '\\', '\x00', '\x7f', '\x80', '\xff', '+', '/', 'A'];

/** Valid base64 of random bytes, then (most of the time) one mutation: a character replaced, inserted or removed. */
function sample(r: () => number): string {
  const len = r() < 0.3 ? Math.floor(r() * 100) : Math.floor(r() * 4000);
  const data = Buffer.alloc(len);
  for (let i = 0; i < len; i++) data[i] = Math.floor(r() * 256);
  let s = data.toString(r() < 0.1 ? 'base64url' : 'base64');
  if (r() < 0.1) s = s.replace(/=+$/, '');
  const kind = r();
  const at = Math.floor(r() * (s.length + 1));
  const ch = STRANGE[Math.floor(r() * STRANGE.length)]!;
  if (kind < 0.25) return s;
  if (kind < 0.5) return s.slice(0, at) + ch + s.slice(at + 1);
  if (kind < 0.65) return s.slice(0, at) + ch + s.slice(at);
  if (kind < 0.8) return s.slice(0, at) + s.slice(at + 1);
  // near the end, where padding and the scalar tail are
  const end = Math.max(0, s.length - 1 - Math.floor(r() * 6));
  return s.slice(0, end) + ch + s.slice(end + 1);
}

/** Expected lengths as batch-entry computes them before decoding (-1: length or padding rules out base64). */
function lengthsOf(src: Buffer, spans: Int32Array, n: number): Int32Array {
  const lens = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = spans[2 * i]!;
    const b = spans[2 * i + 1]!;
    const len = b - a;
    lens[i] = len % 4 ? -1 : (len / 4) * 3 - (len && src[b - 1] === 0x3d ? (src[b - 2] === 0x3d ? 2 : 1) : 0);
  }
  return lens;
}

function run(decode: SpanDecoder, src: Buffer, spans: Int32Array, n: number, dstOff: number, sep: number) {
  const lens = lengthsOf(src, spans, n);
  let room = dstOff;
  for (const l of lens) if (l >= 0) room += l + (sep >= 0 ? 1 : 0);
  const dst = Buffer.alloc(room);
  const end = decode(src, spans, n, lens, dst, dstOff, sep);
  return { end, lens: Array.from(lens), bytes: dst.subarray(0, end) };
}

test('base64 spans: the native decoder gives Node\'s verdicts and bytes on thousands of random and mutated spans', { skip: off }, () => {
  const native = base64Addon!.decodeSpans;
  const r = rng(20261130);
  let invalid = 0;
  let spansSeen = 0;
  for (let round = 0; round < 60; round++) {
    // One body per round with ~40 spans side by side, separated like JSON ("},{"), so spans start at any alignment.
    const parts: string[] = [];
    for (let i = 0; i < 40; i++) parts.push(sample(r));
    const pad = '#'.repeat(Math.floor(r() * 7));
    let text = pad;
    const spans = new Int32Array(2 * parts.length);
    parts.forEach((p, i) => {
      spans[2 * i] = Buffer.byteLength(text, 'latin1');
      text += p;
      spans[2 * i + 1] = Buffer.byteLength(text, 'latin1');
      text += '"},{"';
    });
    const src = Buffer.from(text, 'latin1');
    const dstOff = Math.floor(r() * 9);
    const sep = round % 2 ? 0x0a : -1; // "lines" entries put a newline after each record
    const want = run(decodeSpansWithNode, src, spans, parts.length, dstOff, sep);
    const got = run(native, src, spans, parts.length, dstOff, sep);
    assert.deepEqual(got.lens, want.lens, `round ${round}: verdicts differ`);
    assert.equal(got.end, want.end, `round ${round}: end offsets differ`);
    assert.ok(got.bytes.equals(want.bytes), `round ${round}: decoded bytes differ`);
    invalid += want.lens.filter((l) => l < 0).length;
    spansSeen += parts.length;
  }
  // The mutations must have produced both kinds, or the comparison proves little.
  assert.ok(invalid > spansSeen / 5 && invalid < spansSeen * 0.8, `${invalid} of ${spansSeen} spans invalid`);
});

test('base64 spans: real GitHub events decode the same through decodeBatchEntry with either decoder', { skip: off }, () => {
  const lines = fixtureLines;
  const datas = lines.map((l) => Buffer.from(l).toString('base64'));
  datas.splice(3, 0, datas[3]!.slice(0, 100) + '*' + datas[3]!.slice(101)); // one bad record among them
  const body = Buffer.from(JSON.stringify({ DeliveryStreamName: 'github', Records: datas.map((Data) => ({ Data })) }));
  const scan = scanBatchBody(body)!;
  const a = decodeBatchEntry(body, scan, 1_700_000_000_000, 1000 * 1024, undefined, decodeSpansWithNode);
  const b = decodeBatchEntry(body, scan, 1_700_000_000_000, 1000 * 1024, undefined, base64Addon!.decodeSpans);
  const la = decodeBatchEntry(body, scan, 1_700_000_000_000, 1000 * 1024, undefined, decodeSpansWithNode, 'lines');
  const lb = decodeBatchEntry(body, scan, 1_700_000_000_000, 1000 * 1024, undefined, base64Addon!.decodeSpans, 'lines');
  assert.ok(lb.entry!.subarray(20).equals(la.entry!.subarray(20)), 'lines entries differ'); // table and data (the header is the collector's to write)
  assert.equal(lb.rawBytes, b.rawBytes);
  assert.equal(lb.entry!.length, b.entry!.length + lines.length);
  assert.equal(a.count, lines.length);
  assert.equal(a.rawBytes, lines.reduce((s, l) => s + Buffer.byteLength(l), 0));
  assert.equal(b.count, lines.length);
  assert.equal(b.failures?.[3]?.message, 'Data is not valid base64');
  assert.deepEqual(b.failures, a.failures);
  assert.ok(b.entry!.equals(a.entry!), 'WAL entries differ');
});

test('base64 spans: the native decoder refuses bad arguments instead of reading or writing out of bounds', { skip: off }, () => {
  const d = base64Addon!.decodeSpans;
  const src = Buffer.from('QUJD' + 'REVG');
  const spans = new Int32Array([0, 4, 4, 8]);
  const dst = Buffer.alloc(6);
  assert.equal(d(src, spans, 2, new Int32Array([3, 3]), dst, 0, -1), 6);
  assert.equal(dst.toString(), 'ABCDEF');
  const lined = Buffer.alloc(8);
  assert.equal(d(src, spans, 2, new Int32Array([3, 3]), lined, 0, 0x0a), 8);
  assert.equal(lined.toString(), 'ABC\nDEF\n');
  assert.throws(() => d(src, spans, 2, new Int32Array([3, 3]), Buffer.alloc(7), 0, 0x0a), /dst is too small/);
  assert.throws(() => d(src, spans, 2, new Int32Array([3, 3]), dst, 0, 256), TypeError);
  assert.throws(() => d(src, spans, 2, new Int32Array([3, 3]), dst, 0, -2), TypeError);
  assert.throws(() => d(src, spans, 2, new Int32Array([3, 3]), Buffer.alloc(5), 0, -1), /dst is too small/);
  assert.throws(() => d(src, new Int32Array([0, 9]), 1, new Int32Array([3]), dst, 0, -1), /outside src/);
  assert.throws(() => d(src, new Int32Array([4, 0]), 1, new Int32Array([3]), dst, 0, -1), /outside src/);
  assert.throws(() => d(src, spans, 3, new Int32Array([3, 3, 3]), dst, 0, -1), /count is larger/);
  assert.throws(() => d(src, spans, 2, new Int32Array([3, 3]), dst, 7, -1), /outside dst/);
  assert.throws(() => d(src, spans, 2, new Int32Array([3, 3]), dst, -1, -1), /outside dst/);
  assert.throws(() => (d as (...a: unknown[]) => number)('QUJD', spans, 1, new Int32Array([3]), dst, 0, -1), TypeError);
  assert.throws(() => (d as (...a: unknown[]) => number)(src, new Uint32Array([0, 4]), 1, new Int32Array([3]), dst, 0), TypeError);
  // A span whose characters could not fit its expected length is refused, not decoded past it.
  const lens = new Int32Array([0]);
  assert.equal(d(src, new Int32Array([0, 8]), 1, lens, dst, 0, -1), 0);
  assert.equal(lens[0], -2);
});
