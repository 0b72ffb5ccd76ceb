// The collector's per-request GitHub verdict in one call (native/event-scan allPassLines, its sync twin, the JS twin
// allPassLinesJs and allPassGithubLines), and the C UTF-8 validator it uses, compared with node:buffer's isUtf8.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { allPassGithubLines, allPassLinesJs, passesGithubTransformUnchanged } from '../../src/collector/firehose-transform.ts';
import { nativeAllPassLines, nativeAllPassLinesSync, nativeIsUtf8 } from '../../src/collector/native-scan.ts';
import { encodeLinesEntry, entryTableOffset } from '../../src/collector/wal.ts';
import { fixtureLines } from './helpers.ts';

// Skipped only when the JS scanner is asked for; a missing build fails (npm ci builds it).
const noNative = process.env.EVENTLAKE_NATIVE_SCAN === '0' ? 'EVENTLAKE_NATIVE_SCAN=0' : false;

let seed = 20261130;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff), seed / 0x80000000);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

/** The native async allPassLines as a promise. */
function nativeAsync(buf: Uint8Array, n: number): Promise<boolean> {
  return new Promise((resolve, reject) => nativeAllPassLines!(buf, n, (err, ok) => (err ? reject(err) : resolve(ok))));
}

// ---- UTF-8 ----

/** UTF-8 of code point cp written without the validity checks (so surrogates and overlong forms can be made too). */
function enc(cp: number, bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4): number[] {
  if (bytes === 1) return [cp];
  if (bytes === 2) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (bytes === 3) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

// Sequences at every boundary of Table 3-7, valid and not: each length's first and last code point, around the
// surrogates and U+10FFFF, overlong forms, and lone, stray and impossible bytes.
const BOUNDARY_CPS = [0, 0x7f, 0x80, 0x7ff, 0x800, 0xfff, 0x1000, 0xcfff, 0xd000, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x3ffff, 0x40000, 0xfffff, 0x100000, 0x10ffff];
const PIECES: number[][] = [
  ...BOUNDARY_CPS.map((cp) => enc(cp)),
  ...[0xd800, 0xdbff, 0xdc00, 0xdfff].map((cp) => enc(cp)), // surrogates (ED A0..BF ..)
  ...[0x110000, 0x13ffff, 0x1fffff].map((cp) => enc(cp, 4)), // above U+10FFFF (F4 90.., F5.., F7..)
  ...[0, 0x7f].map((cp) => enc(cp, 2)), // overlong 2-byte (C0, C1)
  ...[0, 0x7ff].map((cp) => enc(cp, 3)), // overlong 3-byte (E0 80..9F)
  ...[0, 0xffff].map((cp) => enc(cp, 4)), // overlong 4-byte (F0 80..8F)
  [0x80], [0xbf], [0xc0], [0xc1], [0xc2], [0xdf], [0xe0], [0xe0, 0xa0], [0xed], [0xed, 0x9f], [0xef, 0xbf], [0xf0], [0xf0, 0x90],
  [0xf0, 0x90, 0x80], [0xf4], [0xf4, 0x8f, 0xbf], [0xf4, 0x90], [0xf5], [0xf8], [0xfe], [0xff], [0x22], [0x7b], [0x0a],
];

/** A random byte string built mostly of boundary pieces and ASCII runs (long enough for the 8/16-byte fast path). */
function trickyBytes(): Buffer {
  const out: number[] = [];
  for (let k = int(8); k >= 0; k--) {
    const what = int(10);
    if (what < 5) out.push(...pick(PIECES));
    else if (what < 8) for (let j = int(40); j > 0; j--) out.push(0x20 + int(0x5f));
    else if (what < 9) out.push(int(256));
    else out.push(...enc(int(0x110000))); // any code point, surrogates included
  }
  if (out.length > 0 && rand() < 0.2) out.length = int(out.length); // truncated tail
  return Buffer.from(out);
}

test('scan-lines: the C UTF-8 validator agrees with isUtf8 on every 1- and 2-byte string and on 3/4-byte boundary sequences at every alignment', { skip: noNative }, () => {
  const check = nativeIsUtf8!;
  let valid = 0;
  let count = 0;
  const same = (b: Buffer) => {
    const want = isUtf8(b);
    if (check(b) !== want) assert.fail(`C ${!want}, isUtf8 ${want}: ${b.toString('hex')}`);
    valid += want ? 1 : 0;
    count++;
  };
  same(Buffer.alloc(0));
  for (let a = 0; a < 256; a++) {
    same(Buffer.from([a]));
    for (let b = 0; b < 256; b++) same(Buffer.from([a, b]));
  }
  // Every lead byte 0xC0..0xFF with continuation candidates at each range edge, behind 0..17 ASCII bytes (so it lands
  // inside, at the end of and after the 8- and 16-byte fast-path words) and followed by 0..2 ASCII bytes.
  const edges = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
  for (let lead = 0xc0; lead < 0x100; lead++) {
    for (const c1 of edges) {
      for (const c2 of edges) {
        for (const pad of [0, 1, 7, 8, 9, 15, 16, 17]) {
          const pre = 'x'.repeat(pad);
          same(Buffer.concat([Buffer.from(pre), Buffer.from([lead, c1, c2])]));
          for (const c3 of [0x7f, 0x80, 0xbf, 0xc0]) same(Buffer.concat([Buffer.from(pre), Buffer.from([lead, c1, c2, c3]), Buffer.from('yz'.slice(0, pad % 3))]));
        }
      }
    }
  }
  assert.ok(valid > 10_000 && count - valid > 10_000, `${valid} of ${count} valid`); // both outcomes are exercised
});

test('scan-lines: the C UTF-8 validator agrees with isUtf8 on random strings biased to tricky sequences, and on real events', { skip: noNative }, () => {
  const check = nativeIsUtf8!;
  let valid = 0;
  for (let k = 0; k < 20_000; k++) {
    const b = trickyBytes();
    const want = isUtf8(b);
    if (check(b) !== want) assert.fail(`C ${!want}, isUtf8 ${want}: ${b.toString('hex')}`);
    // The same bytes in a view at an odd offset of a larger buffer (unaligned word loads).
    const view = new Uint8Array(new ArrayBuffer(b.length + 3), 3, b.length);
    view.set(b);
    assert.equal(check(view), want);
    valid += want ? 1 : 0;
  }
  assert.ok(valid > 2_000 && valid < 18_000, `${valid} of 20000 valid`);
  for (const line of fixtureLines) {
    const b = Buffer.from(line);
    assert.equal(check(b), true);
    for (let i = 0; i < 40; i++) {
      const m = Buffer.from(b);
      m[int(m.length)] = pick([0x80, 0xc0, 0xc3, 0xed, 0xf4, 0xff]);
      assert.equal(check(m), isUtf8(m), m.toString('hex'));
      const prefix = m.subarray(0, int(m.length));
      assert.equal(check(prefix), isUtf8(prefix), `prefix ${prefix.toString('hex')}`);
    }
  }
  assert.throws(() => (check as (x: unknown) => boolean)('abc'), TypeError);
});

// ---- allPassLines ----

const rawRecords = fixtureLines.map((l) => Buffer.from(l));
const reserialised = fixtureLines.map((l) => Buffer.from(JSON.stringify(JSON.parse(l))));

/** n records cycled from `from`, starting at `start`. */
function records(from: Buffer[], n: number, start = 0): Buffer[] {
  return Array.from({ length: n }, (_, i) => from[(start + i) % from.length]!);
}

/** One record changed so the transform would not pass it unchanged (or, for a few, in a way it still passes). */
const MUTATIONS: [string, (r: Buffer) => Buffer][] = [
  ['invalid UTF-8 byte', (r) => withByte(r, 1 + int(r.length - 2), pick([0x80, 0xc0, 0xff, 0xed]))],
  ['surrogate in a string', (r) => withField(r, [0xed, 0xa0 + int(32), 0x80 + int(64)])],
  ['overlong in a string', (r) => withField(r, pick([[0xc0, 0xa2], [0xc1, 0xbf], [0xe0, 0x80, 0xa2], [0xf0, 0x8f, 0xbf, 0xbf]]))],
  ['above U+10FFFF in a string', (r) => withField(r, [0xf4, 0x90 + int(48), 0x80, 0x80])],
  ['truncated UTF-8 at the end', (r) => Buffer.concat([r, Buffer.from([0xe2, 0x82])])],
  ['leading space', (r) => Buffer.concat([Buffer.from(' '), r])],
  ['trailing tab', (r) => Buffer.concat([r, Buffer.from('\t')])],
  ['non-normal id', (r) => Buffer.from(r.toString().replace(/"id":"(\d+)"/, '"id":$1'))],
  ['bad created_at', (r) => Buffer.from(r.toString().replace(/"created_at":"[^"]*"/, '"created_at":"2013-02-30T25:00:00Z"'))],
  ['line break between tokens', (r) => Buffer.from(r.toString().replace('{"', '{\n"'))],
  ['carriage return between tokens', (r) => Buffer.from(r.toString().replace(',"', ',\r"'))],
  ['control byte in a string', (r) => withField(r, [int(32)])],
  ['cut short', (r) => r.subarray(0, 1 + int(r.length - 2))],
  ['empty record', () => Buffer.alloc(0)],
  ['valid non-ASCII in a string (still passes)', (r) => Buffer.from(r.toString().replace('"type":"', '"zz":"é€😀","type":"'))],
  ['random byte', (r) => withByte(r, int(r.length), int(256))],
];

/** The record with a field "zz" holding these bytes (and ASCII around them) before its "type". */
function withField(r: Buffer, bytes: number[]): Buffer {
  const at = r.indexOf('"type":"');
  return Buffer.concat([r.subarray(0, at), Buffer.from('"zz":"a'), Buffer.from(bytes), Buffer.from('b",'), r.subarray(at)]);
}

function withByte(r: Buffer, i: number, v: number): Buffer {
  const m = Buffer.from(r);
  m[i] = v;
  return m;
}

/** Every way to get an entry's verdict that can run here (the native ones when built and not EVENTLAKE_NATIVE_SCAN=0). */
const impls: [string, (buf: Uint8Array, n: number) => Promise<boolean>][] = [
  ['allPassLinesJs', async (buf, n) => allPassLinesJs(buf, n)],
  ['allPassGithubLines', allPassGithubLines],
];
if (nativeAllPassLinesSync) impls.push(['allPassLinesSync', async (buf, n) => nativeAllPassLinesSync!(buf, n)]);
if (nativeAllPassLines) impls.push(['allPassLines', nativeAsync]);

/** The verdict by definition: every record passes passesGithubTransformUnchanged. */
const expected = (recs: Buffer[]) => recs.every((r) => passesGithubTransformUnchanged(r));

test('scan-lines: allPassLines (async, sync) and allPassLinesJs agree on lines entries of real events, whole and with one record mutated anywhere', async () => {
  let trues = 0;
  let falses = 0;
  const cases: { name: string; recs: Buffer[] }[] = [];
  for (const from of [rawRecords, reserialised]) {
    for (const n of [1, 2, 7, 30, 500]) cases.push({ name: `${n} real`, recs: records(from, n, int(from.length)) });
    for (let k = 0; k < 150; k++) {
      const recs = records(from, 1 + int(k < 100 ? 40 : 500), int(from.length));
      const at = int(recs.length);
      const [name, mutate] = pick(MUTATIONS);
      recs[at] = mutate(recs[at]!);
      cases.push({ name: `${name} at ${at} of ${recs.length}`, recs });
    }
  }
  const pending: Promise<void>[] = [];
  for (const { name, recs } of cases) {
    // The record may itself hold "\n": then its length in the table still says where it ends, and the verdict is false.
    const buf = encodeLinesEntry(recs);
    const want = expected(recs);
    for (const [impl, verdict] of impls) pending.push(verdict(buf, recs.length).then((got) => assert.equal(got, want, `${impl}: ${name}`)));
    if (want) trues++;
    else falses++;
  }
  await Promise.all(pending); // many at once on the pool
  assert.ok(trues > 20 && falses > 200, `${trues} pass, ${falses} do not`);
});

test('scan-lines: a bad layout is false (no read outside the buffer), n = 0 is true, and any Uint8Array view works', async () => {
  const recs = records(rawRecords, 20);
  const good = encodeLinesEntry(recs);
  const n = recs.length;
  const dataStart = entryTableOffset(n);
  const same = async (buf: Uint8Array, count: number, want: boolean, what: string) => {
    for (const [impl, verdict] of impls) assert.equal(await verdict(buf, count), want, `${impl}: ${what}`);
  };

  await same(good, n, true, 'the good entry');
  await same(Buffer.concat([good, Buffer.from('trailing bytes')]), n, true, 'bytes after the last separator are not looked at');
  await same(good, n - 1, false, 'n too small: the table ends inside the first record');
  await same(good, n + 1, false, 'n too large');
  await same(good, 2 ** 32, false, 'n far too large');
  await same(good, 2 ** 53 - 1, false, 'n as large as a number can say');
  await same(good.subarray(0, good.length - 1), n, false, 'the last separator cut off');
  await same(good.subarray(0, dataStart), n, false, 'only the table');
  await same(good.subarray(0, 19), 1, false, 'shorter than the header');
  await same(Buffer.alloc(0), 0, true, 'n = 0, empty buffer');
  await same(Buffer.alloc(0), 1, false, 'n = 1, empty buffer');
  await same(good.subarray(0, 20), 0, true, 'n = 0');

  const lengthSet = async (i: number, len: number, what: string) => {
    const b = Buffer.from(good);
    b.writeUInt32LE(len, entryTableOffset(i));
    await same(b, n, false, what);
  };
  await lengthSet(n - 1, recs[n - 1]!.length + 1, 'the last length runs past the end by one');
  await lengthSet(n - 1, 0xffffffff, 'a length of 2^32 - 1');
  await lengthSet(0, good.length, 'a length as long as the buffer');
  await lengthSet(3, recs[3]!.length - 1, 'a length one short: its separator is not a newline');
  await lengthSet(3, 0, 'a zero length');
  for (let k = 0; k < 300; k++) {
    const b = Buffer.from(good);
    const i = int(n);
    b.writeUInt32LE(rand() < 0.5 ? int(4000) : int(2 ** 32), entryTableOffset(i));
    const want = allPassLinesJs(b, n);
    await same(b, n, want, `random length ${b.readUInt32LE(entryTableOffset(i))} for record ${i}`);
  }
  {
    const b = Buffer.from(good);
    b[dataStart + recs[0]!.length] = 0x20; // the first separator is a space
    await same(b, n, false, 'a separator that is not a newline');
  }
  {
    // Separators moved: each record's length one longer, so every record swallows its "\n" and the next byte.
    const b = Buffer.from(good);
    for (let i = 0; i < n; i++) b.writeUInt32LE(b.readUInt32LE(entryTableOffset(i)) + 1, entryTableOffset(i));
    await same(b, n, false, 'lengths off by one');
  }
  // Views: the entry at an odd offset of a bigger ArrayBuffer, with garbage around it.
  const view = new Uint8Array(new ArrayBuffer(good.length + 13), 5, good.length);
  view.set(good);
  await same(view, n, true, 'an unaligned view');
  await same(view.subarray(0, good.length - 1), n, false, 'an unaligned view, one byte short');

  // Bad arguments: TypeErrors (thrown by the sync functions, rejected by allPassGithubLines).
  for (const [buf, count] of [[good, -1], [good, 1.5], [good, NaN], [good, '3'], ['abc', 1], [new Uint16Array(8), 0], [undefined, 0]] as [unknown, unknown][]) {
    const what = `(${String(buf)}, ${String(count)})`;
    assert.throws(() => (allPassLinesJs as (a: unknown, b: unknown) => boolean)(buf, count), TypeError, `js ${what}`);
    if (nativeAllPassLinesSync) assert.throws(() => (nativeAllPassLinesSync as (a: unknown, b: unknown) => boolean)(buf, count), TypeError, `sync ${what}`);
    if (nativeAllPassLines) assert.throws(() => (nativeAllPassLines as (a: unknown, b: unknown, c: unknown) => void)(buf, count, () => {}), TypeError, `async ${what}`);
    await assert.rejects((allPassGithubLines as (a: unknown, b: unknown) => Promise<boolean>)(buf, count), TypeError, `allPassGithubLines ${what}`);
  }
  if (nativeAllPassLines) assert.throws(() => (nativeAllPassLines as (a: unknown, b: unknown, c: unknown) => void)(good, n, undefined), TypeError, 'no callback');
});

test('scan-lines: allPassGithubLines works in worker threads, with the native addon and with EVENTLAKE_NATIVE_SCAN=0 (JS)', { skip: noNative }, async () => {
  const tsx = import.meta.resolve('tsx/esm/api');
  const transform = new URL('../../src/collector/firehose-transform.ts', import.meta.url).href;
  const scan = new URL('../../src/collector/native-scan.ts', import.meta.url).href;
  const good = encodeLinesEntry(records(reserialised, 500, 3));
  const bad = encodeLinesEntry([...records(rawRecords, 250), Buffer.from(' {}'), ...records(rawRecords, 249)]);
  const code = `import { register } from ${JSON.stringify(tsx)}; register();
    const { parentPort, workerData } = await import('node:worker_threads');
    const t = await import(${JSON.stringify(transform)});
    const s = await import(${JSON.stringify(scan)});
    const [good, bad] = workerData;
    const answers = await Promise.all([t.allPassGithubLines(good, 500), t.allPassGithubLines(bad, 500), t.allPassGithubLines(good, 501)]);
    parentPort.postMessage([typeof s.nativeAllPassLines, ...answers]);`;
  const run = async (env: NodeJS.ProcessEnv) => {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: [good, bad], env });
    const [msg] = (await once(w, 'message')) as [unknown];
    await w.terminate();
    return msg;
  };
  const results = await Promise.all([run({ ...process.env }), run({ ...process.env }), run({ ...process.env, EVENTLAKE_NATIVE_SCAN: '0' })]);
  assert.deepEqual(results, [
    ['function', true, false, false],
    ['function', true, false, false],
    ['undefined', true, false, false],
  ]);
});

test('scan-lines: allPassLines keeps the buffer alive while the pool scans it (a GC meanwhile does not collect it)', { skip: noNative }, async () => {
  // gc() without --expose-gc on the command line: the flag set now, the function taken from a new context.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const recs = records(rawRecords, 3000); // ~5 MB: a few ms of scanning, so the GC below runs while it is under way
  const seen: string[] = [];
  for (let k = 0; k < 10 && seen.filter((s) => s === 'alive').length < 3; k++) {
    let called = false;
    let weak!: WeakRef<Buffer>;
    const done = new Promise<boolean>((resolve, reject) => {
      const buf = encodeLinesEntry(recs); // referenced from here on only by the addon (and weakly by the test)
      weak = new WeakRef(buf);
      nativeAllPassLines!(buf, recs.length, (err, ok) => {
        called = true;
        if (err) reject(err);
        else resolve(ok);
      });
    });
    await new Promise((r) => setImmediate(r)); // a new task: the WeakRef no longer holds its target by itself
    const scanning = !called;
    gc();
    seen.push(!scanning ? 'finished first' : weak.deref() ? 'alive' : 'collected');
    assert.equal(await done, true);
  }
  assert.ok(!seen.includes('collected') && seen.filter((s) => s === 'alive').length >= 3, seen.join(', '));
});

test('scan-lines: a worker thread terminated while its scans run on the pool ends cleanly (the scans finish first)', { skip: noNative }, async () => {
  const tsx = import.meta.resolve('tsx/esm/api');
  const scan = new URL('../../src/collector/native-scan.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsx)}; register();
    const { parentPort, workerData } = await import('node:worker_threads');
    const s = await import(${JSON.stringify(scan)});
    const [entry, n] = workerData;
    for (let k = 0; k < 3; k++) s.nativeAllPassLines(entry.slice(), n, () => parentPort.postMessage('finished'));
    setInterval(() => {}, 1000); // alive until terminated
    parentPort.postMessage('issued');`;
  const recs = records(rawRecords, 2000);
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: [encodeLinesEntry(recs), recs.length] });
  const [msg] = (await once(w, 'message')) as [unknown];
  assert.equal(msg, 'issued');
  assert.equal(await w.terminate(), 1); // and this process is still here: no read of a freed buffer, no callback into a gone thread
});
