// Shared contract suite: every gzip/deflate codec must pass it (test/codec/codecs.test.ts runs it against each).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

  test(`${c.name}: crc32 equals zlib's and chains`, () => {
    const a = data.subarray(0, 12_345);
    const b = data.subarray(12_345);
    assert.equal(c.crc32(data), zlib.crc32(data));
    assert.equal(c.crc32(b, c.crc32(a)), zlib.crc32(data));
    assert.equal(c.crc32(Buffer.alloc(0)), 0);
  });
}
