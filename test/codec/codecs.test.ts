// The codec contract against every codec that runs here, and: the native one must be built where CI installs ISA-L.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableCodecs, codec, nativeCodecProblem } from '../../src/codec/index.ts';
import { codecContract } from '../contract/codec.contract.ts';

for (const c of availableCodecs()) codecContract(c);

test('the native igzip codec is built and chosen by default (apt install libisal-dev; npm run build:native)', () => {
  assert.equal(nativeCodecProblem(), undefined);
  assert.deepEqual(availableCodecs().map((c) => c.name), ['isal', 'zlib']);
  if (!process.env.EVENTLAKE_CODEC) assert.equal(codec().name, 'isal');
});
