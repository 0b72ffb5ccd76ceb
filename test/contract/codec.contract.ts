// Shared contract suite: every gzip/deflate codec must pass it (test/codec/codecs.test.ts runs it against each).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Readable, Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import * as zlib from 'node:zlib';
import type { GzipCodec } from '../../src/codec/contract.ts';

/** NDJSON that compresses like real events, plus a random tail so blocks of every kind appear. */
function sample(lines: number): Buffer {
  const rows = Array.from({ length: lines }, (_, i) => JSON.stringify({ event_id: i, event_type: `type_${i % 13}`, user_id: `u${(i * 7919) % 1000}`, ts: 1764547200000 + i * 37 }));
  return Buffer.concat([Buffer.from(rows.join('\n') + '\n'), randomBytes(70_000)]);
}

/** Feeds `input` in chunks of the given sizes (cycled) through the stream; returns output and chunk sizes. */
async function through(stream: NodeJS.ReadWriteStream, input: Buffer, sizes = [65_536]): Promise<{ out: Buffer; chunks: number[] }> {
  const parts: Buffer[] = [];
  async function* feed() {
    for (let off = 0, i = 0; off < input.length; i++) {
      const n = sizes[i % sizes.length]!;
      yield input.subarray(off, off + n);
      off += n;
    }
  }
  await pipeline(Readable.from(feed()), stream, new Writable({ write: (c: Buffer, _e, cb) => (parts.push(Buffer.from(c)), cb()) }));
  return { out: Buffer.concat(parts), chunks: parts.map((p) => p.length) };
}

async function failure(stream: NodeJS.ReadWriteStream, input: Buffer): Promise<NodeJS.ErrnoException> {
  try {
    await through(stream, input);
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
  assert.fail('the stream was expected to fail');
}

/** ~8 MiB of NDJSON (+ random tail): one write of its gzip is ~500 output chunks of 16 KiB. */
let bigData: { data: Buffer; gz: Buffer } | undefined;
const big = () => {
  if (bigData) return bigData;
  const data = sample(110_000);
  return (bigData = { data, gz: zlib.gzipSync(data, { level: 1 }) });
};

/** The most a stream may hold in its readable buffer while nobody reads: about two output chunks. */
const bufferBound = (s: Transform, chunkSize: number) => 2 * Math.max(chunkSize, s.readableHighWaterMark);

/** Reads `s` to the end in paused mode, noting the most bytes it held buffered before each read. */
function drainPaused(s: Transform): Promise<{ out: Buffer; maxBuffered: number }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let maxBuffered = s.readableLength;
    s.on('readable', () => {
      for (;;) {
        maxBuffered = Math.max(maxBuffered, s.readableLength);
        const c = s.read() as Buffer | null;
        if (c === null) return;
        parts.push(c);
      }
    });
    s.on('end', () => resolve({ out: Buffer.concat(parts), maxBuffered }));
    s.on('error', reject);
  });
}

/**
 * Pipes `input` (written as one chunk) through `s` into a consumer that takes one chunk per event-loop turn.
 * Returns what the consumer got, the most bytes `s` held buffered, the pipeline's error and how many 'error' events
 * `s` emitted (counted after it closed).
 */
async function slowPipe(s: Transform, input: Buffer, chunkSize: number) {
  const parts: Buffer[] = [];
  let maxBuffered = 0;
  let errors = 0;
  s.on('error', () => errors++);
  const sink = new Writable({
    highWaterMark: chunkSize,
    write(c: Buffer, _e, cb) {
      maxBuffered = Math.max(maxBuffered, s.readableLength);
      parts.push(c);
      setImmediate(cb);
    },
  });
  let error: NodeJS.ErrnoException | undefined;
  try {
    await pipeline(Readable.from([input]), s, sink);
  } catch (e) {
    error = e as NodeJS.ErrnoException;
  }
  if (!s.closed) await once(s, 'close');
  await new Promise((r) => setImmediate(r));
  return { out: Buffer.concat(parts), maxBuffered, error, errors };
}


/** ~1 MB of real GitHub event lines (the fixture's NDJSON repeated), as the collector's ack path sees. */
let eventsData: Buffer | undefined;
const events = () => {
  if (eventsData) return eventsData;
  const one = zlib.gunzipSync(readFileSync(new URL('../fixtures/github-events-2013.json.gz', import.meta.url)));
  return (eventsData = Buffer.concat(Array.from({ length: Math.ceil(1_000_000 / one.length) }, () => one)).subarray(0, 1_000_000));
};

/** Deterministic JSON lines (no random tail), so damaged copies fail the same way every run. */
const lines = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => JSON.stringify({ i, type: `t${i % 7}`, pad: 'x'.repeat(i % 23) })).join('\n') + '\n');

const SENTINEL = 0xa5;

/** Deflate levels to try: 0..3, and 9 (ISA-L's level 3; 2..6 all map to its level 2). */
const LEVELS = [0, 1, 2, 3, 9];

/** A view into a larger sentinel-filled buffer, so writes before or after it show. */
function fenced(size: number): { out: Uint8Array; whole: Buffer; pad: number } {
  const pad = 37;
  const whole = Buffer.alloc(size + 2 * pad, SENTINEL);
  return { out: whole.subarray(pad, pad + size), whole, pad };
}

/** The bytes of `whole` outside [pad, pad + n) are all still the sentinel. */
function untouchedOutside(whole: Buffer, pad: number, n: number): boolean {
  return whole.subarray(0, pad).every((b) => b === SENTINEL) && whole.subarray(pad + n).every((b) => b === SENTINEL);
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return String((e as NodeJS.ErrnoException).code);
  }
  return 'no error';
}

export function codecContract(c: GzipCodec): void {
  const data = sample(40_000);
  const gz = zlib.gzipSync(data, { level: 6 });

  test(`${c.name}: gunzip of a zlib-made stream is byte-identical, fed in odd chunk sizes`, async () => {
    const { out } = await through(c.createGunzip(), gz, [1, 7, 4093, 65_536, 3]);
    assert.ok(out.equals(data));
  });

  test(`${c.name}: gunzip output chunks never exceed chunkSize`, async () => {
    const { out, chunks } = await through(c.createGunzip({ chunkSize: 16_384 }), gz);
    assert.ok(out.equals(data));
    assert.ok(Math.max(...chunks) <= 16_384, `largest chunk ${Math.max(...chunks)}`);
    assert.ok(chunks.length >= Math.floor(data.length / 16_384));
  });

  test(`${c.name}: concatenated gzip members are one stream`, async () => {
    const { out } = await through(c.createGunzip(), Buffer.concat([gz, zlib.gzipSync(Buffer.from('tail\n'))]));
    assert.ok(out.equals(Buffer.concat([data, Buffer.from('tail\n')])));
    assert.ok(c.gunzipSync(Buffer.concat([gz, gz])).equals(Buffer.concat([data, data])));
  });

  test(`${c.name}: a truncated gzip stream fails with Z_BUF_ERROR wherever it is cut`, async () => {
    for (const cut of [1, 4, 8, 9, 1000, gz.length - 11]) {
      const e = await failure(c.createGunzip(), gz.subarray(0, gz.length - cut));
      assert.equal(e.code, 'Z_BUF_ERROR', `cut ${cut}: ${e.message}`);
    }
    assert.equal((await failure(c.createGunzip(), Buffer.alloc(0))).code, 'Z_BUF_ERROR');
  });

  test(`${c.name}: a damaged trailer (CRC-32 or length), body or header fails with Z_DATA_ERROR`, async () => {
    for (const at of [gz.length - 1, gz.length - 5, gz.length - 8, Math.floor(gz.length / 2), 0]) {
      const bad = Buffer.from(gz);
      bad[at]! ^= 0x5a;
      const e = await failure(c.createGunzip(), bad);
      assert.equal(e.code, 'Z_DATA_ERROR', `byte ${at}: ${e.message}`);
    }
    assert.throws(() => c.gunzipSync(Buffer.from('{"not":"gzip"}\n'.repeat(10))), (e: NodeJS.ErrnoException) => e.code === 'Z_DATA_ERROR');
  });

  test(`${c.name}: gzip output is a standard gzip stream (zlib reads it) and round-trips`, async () => {
    for (const level of [1, 6]) {
      const { out } = await through(c.createGzip({ level }), data, [100_000, 5, 300_001]);
      assert.equal(out[0], 0x1f);
      assert.equal(out[1], 0x8b);
      assert.ok(zlib.gunzipSync(out).equals(data), `level ${level}`);
      assert.ok(out.length < data.length * 0.6, `level ${level}: ${out.length} bytes from ${data.length}`);
      assert.ok(c.gunzipSync(c.gzipSync(data, { level })).equals(data));
    }
    assert.ok(zlib.gunzipSync((await through(c.createGzip(), Buffer.alloc(0))).out).length === 0);
  });

  test(`${c.name}: raw deflate (zip method 8) both ways, interoperable with zlib`, async () => {
    const raw = zlib.deflateRawSync(data);
    assert.ok((await through(c.createInflateRaw(), raw, [3, 65_536])).out.equals(data));
    assert.ok(c.inflateRawSync(raw).equals(data));
    assert.ok(zlib.inflateRawSync(c.deflateRawSync(data)).equals(data));
    const e = await failure(c.createInflateRaw(), raw.subarray(0, raw.length - 10));
    assert.equal(e.code, 'Z_BUF_ERROR');
  });

  // Backpressure inside one write: a large chunk is processed an output chunk at a time, and the codec waits for
  // the reader when its readable buffer is full (as node:zlib does), instead of producing the whole output at once.
  const small = 16_384;

  test(`${c.name}: one large gzip (or raw deflate) write is inflated in bounded steps while nobody reads`, async () => {
    const { data, gz } = big();
    const raw = zlib.deflateRawSync(data, { level: 1 });
    for (const [g, input] of [[c.createGunzip({ chunkSize: small }), gz], [c.createInflateRaw({ chunkSize: small }), raw]] as const) {
      const drained = drainPaused(g);
      g.write(input);
      g.end();
      const bound = bufferBound(g, small);
      assert.ok(g.readableLength <= bound, `${g.readableLength} bytes buffered right after the write (bound ${bound})`);
      const { out, maxBuffered } = await drained;
      assert.ok(maxBuffered <= bound, `${maxBuffered} bytes buffered at most (bound ${bound})`);
      assert.ok(out.equals(data));
    }
  });

  test(`${c.name}: one large write to gzip is deflated in bounded steps while nobody reads`, async () => {
    const { data } = big();
    const z = c.createGzip({ chunkSize: small });
    const drained = drainPaused(z);
    z.write(data);
    z.end();
    const bound = bufferBound(z, small);
    assert.ok(z.readableLength <= bound, `${z.readableLength} bytes buffered right after the write (bound ${bound})`);
    const { out, maxBuffered } = await drained;
    assert.ok(maxBuffered <= bound, `${maxBuffered} bytes buffered at most (bound ${bound})`);
    assert.ok(out.length > 20 * small, `${out.length} bytes of gzip`);
    assert.ok(zlib.gunzipSync(out).equals(data));
  });

  test(`${c.name}: a slow consumer in a pipeline gets exact output from one large write, both ways`, async () => {
    const { data, gz: input } = big();
    const g = c.createGunzip({ chunkSize: small });
    const inflated = await slowPipe(g, input, small);
    assert.equal(inflated.error, undefined);
    assert.ok(inflated.out.equals(data));
    assert.ok(inflated.maxBuffered <= bufferBound(g, small), `gunzip held ${inflated.maxBuffered} bytes`);
    const z = c.createGzip({ chunkSize: small, level: 6 });
    const deflated = await slowPipe(z, data, small);
    assert.equal(deflated.error, undefined);
    assert.ok(zlib.gunzipSync(deflated.out).equals(data));
    assert.ok(deflated.maxBuffered <= bufferBound(z, small), `gzip held ${deflated.maxBuffered} bytes`);
  });

  test(`${c.name}: an async-iterating reader gets exact output from many small writes, both ways`, async () => {
    // read() asks for more before it takes what is buffered, so it may find a write finished on a full buffer.
    const input = big().data.subarray(0, 2_000_000);
    const iterate = async (s: Transform, from: Buffer, piece: number) => {
      const pieces: Buffer[] = [];
      for (let off = 0; off < from.length; off += piece) pieces.push(from.subarray(off, off + piece));
      const done = pipeline(Readable.from(pieces), s);
      const parts: Buffer[] = [];
      for await (const b of s) parts.push(b as Buffer);
      await done;
      return Buffer.concat(parts);
    };
    const gz = await iterate(c.createGzip({ chunkSize: small }), input, 5000);
    assert.ok(zlib.gunzipSync(gz).equals(input));
    for (const piece of [1000, 3000]) assert.ok((await iterate(c.createGunzip({ chunkSize: small }), gz, piece)).equals(input), `pieces of ${piece}`);
  });

  test(`${c.name}: corrupt data after many output chunks of one write fails once with Z_DATA_ERROR`, async () => {
    const { data, gz: input } = big();
    const badCrc = Buffer.from(input);
    badCrc[badCrc.length - 6]! ^= 1;
    const cases = { 'bytes that are not gzip after the member': Buffer.concat([input, Buffer.from('not a gzip member\n'.repeat(8))]), 'a damaged CRC-32': badCrc };
    for (const [what, bad] of Object.entries(cases)) {
      const r = await slowPipe(c.createGunzip({ chunkSize: small }), bad, small);
      assert.equal(r.error?.code, 'Z_DATA_ERROR', `${what}: ${r.error?.message}`);
      assert.equal(r.errors, 1, `${what}: ${r.errors} error events`);
      assert.ok(r.out.equals(data.subarray(0, r.out.length)), `${what}: output is not a prefix of the data`);
      // The consumer got most of the output before the error (none of it piled up unread).
      assert.ok(r.out.length > data.length / 2, `${what}: ${r.out.length} of ${data.length} bytes before the error`);
    }
  });

  test(`${c.name}: one large truncated write fails with Z_BUF_ERROR at the end`, async () => {
    const { data, gz: input } = big();
    const r = await slowPipe(c.createGunzip({ chunkSize: small }), input.subarray(0, input.length - 1000), small);
    assert.equal(r.error?.code, 'Z_BUF_ERROR', r.error?.message);
    assert.equal(r.errors, 1);
    assert.ok(r.out.equals(data.subarray(0, r.out.length)));
    assert.ok(r.out.length > data.length / 2, `${r.out.length} of ${data.length} bytes before the error`);
  });

  /** Feeds the counter in pieces of `size` bytes, one write at a time. */
  async function count(input: Buffer, maxBytes = 1e12, size = 50_000) {
    const counter = c.createGunzipCounter({ maxBytes });
    for (let off = 0; off < input.length; off += size) await counter.write(input.subarray(off, off + size));
    return counter.end();
  }
  const newlines = (b: Buffer) => b.toString('latin1').split('\n').length - 1;

  test(`${c.name}: the counting gunzip counts inflated bytes and newlines across chunks and members`, async () => {
    const t = await count(gz);
    assert.deepEqual(t, { bytes: data.length, newlines: newlines(data), lastByte: data[data.length - 1] });
    const two = Buffer.concat([gz, zlib.gzipSync(Buffer.from('a\nb'))]);
    assert.deepEqual(await count(two, 1e12, 3), { bytes: data.length + 3, newlines: newlines(data) + 1, lastByte: 0x62 });
  });

  test(`${c.name}: the counting gunzip rejects truncated (Z_BUF_ERROR), corrupt (Z_DATA_ERROR) and oversized (LIMIT) streams`, async () => {
    const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: NodeJS.ErrnoException) => e.code);
    assert.equal(await code(count(gz.subarray(0, gz.length - 4))), 'Z_BUF_ERROR');
    assert.equal(await code(count(Buffer.alloc(0))), 'Z_BUF_ERROR');
    const bad = Buffer.from(gz);
    bad[bad.length - 6]! ^= 1;
    assert.equal(await code(count(bad)), 'Z_DATA_ERROR');
    const bomb = zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    assert.equal(await code(count(bomb, 4 * 1024 * 1024)), 'LIMIT');
  });

  // ---- gzipInto / gunzipInto (one member into a caller's buffer: the collector's ack path) ----

  test(`${c.name}: gzipInto writes one standard gzip member at the start of out, returns its length, touches nothing else`, () => {
    const inputs = { empty: Buffer.alloc(0), 'one byte': Buffer.from('x'), '1 MB of event lines': events(), 'random bytes': randomBytes(200_000) };
    for (const [what, input] of Object.entries(inputs)) {
      for (const level of LEVELS) {
        const { out, whole, pad } = fenced(input.length + 1024);
        const n = c.gzipInto(input, out, { level });
        const member = Buffer.from(out.subarray(0, n));
        assert.ok(zlib.gunzipSync(member).equals(input), `${what}, level ${level}: zlib reads it back`);
        // The returned length ends exactly at the trailer: CRC-32 and ISIZE of the input are its last 8 bytes.
        assert.equal(member.readUInt32LE(n - 8), zlib.crc32(input), `${what}, level ${level}: CRC-32 at the returned end`);
        assert.equal(member.readUInt32LE(n - 4), input.length, `${what}, level ${level}: ISIZE at the returned end`);
        assert.ok(untouchedOutside(whole, pad, n), `${what}, level ${level}: bytes outside the ${n}-byte member were written`);
        if (what === '1 MB of event lines') assert.ok(n < input.length / 3, `level ${level}: ${n} bytes from ${input.length}`);
      }
    }
  });

  test(`${c.name}: gzipInto and gunzipInto write nothing past their output, whatever the size and level`, () => {
    // Word-at-a-time coders can scribble a few bytes past their last one; only some sizes show it, so sweep them.
    const data = events();
    const wrong: string[] = [];
    const sizes = [...Array.from({ length: 61 }, (_, i) => i * 997), 100_003, 250_007, data.length];
    for (const size of sizes) {
      const input = data.subarray(0, size);
      for (const level of LEVELS) {
        const z = fenced(input.length + 1024);
        const n = c.gzipInto(input, z.out, { level });
        if (!untouchedOutside(z.whole, z.pad, n)) wrong.push(`gzipInto ${input.length} bytes, level ${level}`);
        const g = fenced(input.length + 100);
        assert.equal(c.gunzipInto(z.out.subarray(0, n), g.out), input.length);
        if (!untouchedOutside(g.whole, g.pad, input.length)) wrong.push(`gunzipInto ${input.length} bytes, level ${level}`);
        assert.ok(Buffer.from(g.out.subarray(0, input.length)).equals(input));
      }
    }
    assert.deepEqual(wrong, []);
  });

  test(`${c.name}: gzipIntoAsync gives gzipInto's bytes, many calls at once, touching nothing else; LIMIT rejects`, async () => {
    const data = events();
    const cases = Array.from({ length: 24 }, (_, i) => ({ input: data.subarray(0, 1 + ((i * 40_009) % data.length)), level: LEVELS[i % LEVELS.length]! }));
    const results = await Promise.all(
      cases.map(async ({ input, level }) => {
        const z = fenced(input.length + 1024);
        const n = await c.gzipIntoAsync(input, z.out, { level });
        return { n, z, input, level };
      }),
    );
    for (const { n, z, input, level } of results) {
      const sync = Buffer.alloc(input.length + 1024);
      const m = c.gzipInto(input, sync, { level });
      assert.ok(Buffer.from(z.out.subarray(0, n)).equals(sync.subarray(0, m)), `${input.length} bytes, level ${level}: async and sync members differ`);
      assert.ok(untouchedOutside(z.whole, z.pad, n), `${input.length} bytes, level ${level}: bytes outside the member were written`);
    }
    await assert.rejects(c.gzipIntoAsync(randomBytes(10_000), Buffer.alloc(100)), (e: NodeJS.ErrnoException) => e.code === 'LIMIT');
    const after = Buffer.alloc(2048); // a failed call leaves the next one working
    assert.equal(zlib.gunzipSync(after.subarray(0, await c.gzipIntoAsync(Buffer.from('after'), after))).toString(), 'after');
  });

  test(`${c.name}: gzipInto throws LIMIT when out is too small, and the next call still works`, () => {
    const input = lines(2000);
    const ref = Buffer.alloc(input.length + 1024);
    const n = c.gzipInto(input, ref);
    for (const size of [0, 10, 19, n - 1]) assert.equal(codeOf(() => c.gzipInto(input, Buffer.alloc(size))), 'LIMIT', `out of ${size} bytes`);
    const noise = randomBytes(50_000);
    assert.equal(codeOf(() => c.gzipInto(noise, Buffer.alloc(noise.length))), 'LIMIT', 'random bytes into out of their own size');
    const exact = Buffer.alloc(n);
    assert.equal(c.gzipInto(input, exact), n);
    assert.ok(zlib.gunzipSync(exact).equals(input));
  });

  test(`${c.name}: gunzipInto reads members of this codec and of zlib (any level, named headers), writing nothing past them`, () => {
    const input = events();
    const named = (gz: Buffer) => {
      // FEXTRA + FNAME + FCOMMENT + FHCRC, as gzip(1) and other tools write them.
      const head = Buffer.concat([gz.subarray(0, 3), Buffer.from([0x1e]), gz.subarray(4, 10), Buffer.from([4, 0, 1, 2, 3, 4]), Buffer.from('events.json\0a comment\0')]);
      const hcrc = Buffer.alloc(2);
      hcrc.writeUInt16LE(zlib.crc32(head) & 0xffff);
      return Buffer.concat([head, hcrc, gz.subarray(10)]);
    };
    const into = Buffer.alloc(input.length + 1024);
    const members = {
      'this codec gzipSync': c.gzipSync(input),
      'this codec gzipInto level 9': Buffer.from(into.subarray(0, c.gzipInto(input, into, { level: 9 }))),
      'zlib level 1': zlib.gzipSync(input, { level: 1 }),
      'zlib level 9': zlib.gzipSync(input, { level: 9 }),
      'zlib stored': zlib.gzipSync(input, { level: 0 }),
      'zlib with a named header': named(zlib.gzipSync(input)),
    };
    for (const [what, gz] of Object.entries(members)) {
      for (const extra of [0, 100]) {
        const { out, whole, pad } = fenced(input.length + extra);
        assert.equal(c.gunzipInto(gz, out), input.length, what);
        assert.ok(Buffer.from(out.subarray(0, input.length)).equals(input), what);
        assert.ok(untouchedOutside(whole, pad, input.length), `${what}, out ${extra} bytes larger: bytes outside the output were written`);
      }
    }
    for (const empty of [zlib.gzipSync(Buffer.alloc(0)), c.gzipSync(Buffer.alloc(0))]) assert.equal(c.gunzipInto(empty, Buffer.alloc(0)), 0);
  });

  test(`${c.name}: gunzipInto fails with Z_BUF_ERROR at every truncation point of a member`, () => {
    const input = lines(120);
    const into = Buffer.alloc(input.length + 1024);
    for (const gz of [zlib.gzipSync(input), zlib.gzipSync(input, { level: 0 }), Buffer.from(into.subarray(0, c.gzipInto(input, into, { level: 0 }))), c.gzipSync(input, { level: 6 })]) {
      const out = Buffer.alloc(input.length + 100);
      const wrong: string[] = [];
      for (let cut = 0; cut < gz.length; cut++) {
        const code = codeOf(() => c.gunzipInto(gz.subarray(0, cut), out));
        if (code !== 'Z_BUF_ERROR') wrong.push(`${cut}: ${code}`);
      }
      assert.deepEqual(wrong, [], `member of ${gz.length} bytes`);
      assert.equal(c.gunzipInto(gz, out), input.length);
    }
  });

  test(`${c.name}: gunzipInto fails with Z_DATA_ERROR on a damaged header, body, CRC-32 or ISIZE, and on bytes after the member`, () => {
    const input = lines(3000);
    const gz = zlib.gzipSync(input);
    const out = Buffer.alloc(input.length * 2);
    const damaged: Record<string, number> = { magic: 0, method: 2, 'body (middle)': gz.length >> 1, 'body (start)': 12 };
    for (let i = 1; i <= 4; i++) {
      damaged[`CRC-32 byte ${i}`] = gz.length - 9 + i;
      damaged[`ISIZE byte ${i}`] = gz.length - 5 + i;
    }
    for (const [what, at] of Object.entries(damaged)) {
      for (const flip of [0x01, 0x80]) {
        const bad = Buffer.from(gz);
        bad[at]! ^= flip;
        assert.equal(codeOf(() => c.gunzipInto(bad, out)), 'Z_DATA_ERROR', `${what} ^ ${flip}`);
      }
    }
    const empty = zlib.gzipSync(Buffer.alloc(0));
    const after = {
      'two members': Buffer.concat([gz, gz]),
      'two empty members': Buffer.concat([empty, empty]),
      'a member and an empty one': Buffer.concat([gz, empty]),
      'one byte of garbage': Buffer.concat([gz, Buffer.from([0])]),
      'eight zero bytes': Buffer.concat([gz, Buffer.alloc(8)]),
    };
    for (const [what, bad] of Object.entries(after)) assert.equal(codeOf(() => c.gunzipInto(bad, out)), 'Z_DATA_ERROR', what);
    assert.equal(codeOf(() => c.gunzipInto(Buffer.from('{"not":"gzip"}\n'.repeat(10)), out)), 'Z_DATA_ERROR');
    assert.equal(codeOf(() => c.gunzipInto(Buffer.from('{}'), out)), 'Z_DATA_ERROR');
  });

  test(`${c.name}: gunzipInto throws LIMIT when out is too small, and the next call still works`, () => {
    const input = events();
    const gz = c.gzipSync(input);
    for (const size of [0, 1, 65_536, input.length - 1]) assert.equal(codeOf(() => c.gunzipInto(gz, Buffer.alloc(size))), 'LIMIT', `out of ${size} bytes`);
    const out = Buffer.alloc(input.length);
    assert.equal(c.gunzipInto(gz, out), input.length);
    assert.ok(out.equals(input));
  });

  test(`${c.name}: gzipInto and gunzipInto calls in a row (levels, sizes, failures between) each give exact results`, () => {
    const data = events();
    const out = Buffer.alloc(data.length + 1024);
    const back = Buffer.alloc(data.length);
    for (let i = 0; i < 50; i++) {
      const input = data.subarray(i * 997, i * 997 + [1, 5_000, 300_000, 1_000_000][i % 4]!);
      const level = LEVELS[i % LEVELS.length]!;
      const n = c.gzipInto(input, out, { level });
      assert.ok(zlib.gunzipSync(out.subarray(0, n)).equals(input), `call ${i}: gzipInto level ${level}`);
      const m = c.gunzipInto(out.subarray(0, n), back);
      assert.ok(m === input.length && back.subarray(0, m).equals(input), `call ${i}: gunzipInto`);
      if (i % 5 === 0) assert.equal(codeOf(() => c.gunzipInto(out.subarray(0, n - 3), back)), 'Z_BUF_ERROR', `call ${i}: truncated`);
      if (i % 7 === 0) assert.equal(codeOf(() => c.gzipInto(input, out.subarray(0, 5))), 'LIMIT', `call ${i}: small out`);
    }
  });

  test(`${c.name}: gzipInto / gunzipInto work in worker threads (each its own state), several at once`, async () => {
    const tsx = import.meta.resolve('tsx/esm/api');
    const index = new URL('../../src/codec/index.ts', import.meta.url).href;
    const code = `import { register } from ${JSON.stringify(tsx)}; register();
      const { parentPort, workerData } = await import('node:worker_threads');
      const { availableCodecs } = await import(${JSON.stringify(index)});
      const c = availableCodecs().find((x) => x.name === workerData.codec);
      const input = Buffer.from(workerData.input);
      const out = Buffer.alloc(input.length + 1024), back = Buffer.alloc(input.length);
      const members = [];
      let same = true;
      for (let i = 0; i < 24; i++) {
        const level = [0, 1, 2, 9][i % 4];
        const n = c.gzipInto(input, out, { level });
        same &&= c.gunzipInto(out.subarray(0, n), back) === input.length && back.equals(input);
        if (i < 4) members.push(Buffer.from(out.subarray(0, n)));
      }
      parentPort.postMessage({ same, members });`;
    const input = lines(4_000);
    const run = async () => {
      const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: { codec: c.name, input } });
      const [msg] = (await once(w, 'message')) as [{ same: boolean; members: Uint8Array[] }];
      await w.terminate();
      return msg;
    };
    // Two at once, then one more after they ended (state freed with each thread).
    const results = [...(await Promise.all([run(), run()])), await run()];
    for (const [i, r] of results.entries()) {
      assert.equal(r.same, true, `worker ${i}: gunzipInto(gzipInto(x)) = x at levels 0, 1, 2, 9`);
      assert.equal(r.members.length, 4);
      for (const m of r.members) assert.ok(zlib.gunzipSync(m).equals(input), `worker ${i}: zlib reads its member`);
    }
    // And the main thread's state is unaffected by the workers'.
    const out = Buffer.alloc(input.length + 1024);
    const n = c.gzipInto(input, out, { level: 2 });
    assert.ok(zlib.gunzipSync(out.subarray(0, n)).equals(input));
  });

  test(`${c.name}: crc32 equals zlib's and chains`, () => {
    const a = data.subarray(0, 12_345);
    const b = data.subarray(12_345);
    assert.equal(c.crc32(data), zlib.crc32(data));
    assert.equal(c.crc32(b, c.crc32(a)), zlib.crc32(data));
    assert.equal(c.crc32(Buffer.alloc(0)), 0);
  });
}
