// The codec contract against every codec that runs here, and: the native one must be built where CI installs ISA-L.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { availableCodecs, codec, nativeCodecProblem } from '../../src/codec/index.ts';
import { codecContract } from '../contract/codec.contract.ts';

for (const c of availableCodecs()) codecContract(c);

test('each codec gunzipInto reads every codec member (gzipSync and gzipInto, levels 0..3 and 9)', () => {
  const one = zlib.gunzipSync(readFileSync(new URL('../fixtures/github-events-2013.json.gz', import.meta.url)));
  const input = Buffer.concat([one, one, one, one.subarray(0, 1000)]);
  const out = Buffer.alloc(input.length + 1024);
  for (const from of availableCodecs()) {
    for (const level of [0, 1, 2, 3, 9]) {
      const members = [from.gzipSync(input, { level }), Buffer.from(out.subarray(0, from.gzipInto(input, out, { level })))];
      for (const to of availableCodecs()) {
        for (const gz of members) {
          const back = Buffer.alloc(input.length);
          assert.equal(to.gunzipInto(gz, back), input.length, `${from.name} level ${level} -> ${to.name}`);
          assert.ok(back.equals(input), `${from.name} level ${level} -> ${to.name}`);
        }
      }
    }
  }
});

test('the native igzip codec is built and chosen by default (apt install libisal-dev; npm run build:native)', () => {
  assert.equal(nativeCodecProblem(), undefined);
  assert.deepEqual(availableCodecs().map((c) => c.name), ['isal', 'zlib']);
  if (!process.env.EVENTLAKE_CODEC) assert.equal(codec().name, 'isal');
});
