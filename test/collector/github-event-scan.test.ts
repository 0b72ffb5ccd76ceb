import { test } from 'node:test';
import assert from 'node:assert/strict';
import { githubEventTransform, githubEventTransformParsed, transformRecord } from '../../src/collector/firehose-transform.ts';
import { isNormalGithubEvent } from '../../src/collector/github-event-scan.ts';
import { fixtureLines } from './helpers.ts';

/** Both transforms give the same outcome (result, bytes, error message) for this payload. */
function same(payload: Buffer, label: string): boolean {
  const fast = transformRecord(githubEventTransform, payload);
  const slow = transformRecord(githubEventTransformParsed, payload);
  assert.deepEqual(fast, slow, `${label}: ${JSON.stringify(payload.toString('latin1').slice(0, 200))}`);
  return fast.result === 'Ok';
}

const base = '{"id":"5","type":"PushEvent","actor":{"id":1,"login":"a"},"repo":{"id":2,"name":"a/b"},"payload":{"x":[1,-2.5e3,true,false,null,{}],"s":"\\u00e9\\n\\"q\\""},"created_at":"2013-01-10T07:58:30Z"}';

test('GitHub event scanner: real events are passed through byte for byte, as by the JSON.parse path', () => {
  for (const line of fixtureLines) {
    for (let at = 0; at < 4; at++) {
      const backing = Buffer.alloc(Buffer.byteLength(line) + 8);
      const b = backing.subarray(at, at + backing.write(line, at));
      assert.equal(isNormalGithubEvent(b), true, line.slice(0, 120));
      assert.ok(same(b, 'fixture'));
    }
  }
  assert.equal(isNormalGithubEvent(Buffer.from(base)), true);
});

test('GitHub event scanner: edge records it must not pass (invalid, or needing normalisation) get the JSON.parse verdict', () => {
  const cases = [
    base.replace('"id":"5"', '"id":5'), // numeric id: re-serialised
    base.replace('"id":"5"', '"id":"5a"'),
    base.replace('"id":"5"', '"id":""'),
    base.replace('"id":"5"', '"id":"5","id":"6"'), // duplicate key: JSON.parse keeps the last
    base.replace('"id":"5"', '"\\u0069d":"5"'), // escaped key spelling "id"
    base.replace('"type":"PushEvent"', '"type":"Push"'),
    base.replace('"type":"PushEvent"', '"type":"Event"'),
    base.replace('"type":"PushEvent"', '"type":"Push1Event"'),
    base.replace('"actor":{"id":1,"login":"a"}', '"actor":{"id":"1","login":"a"}'),
    base.replace('"actor":{"id":1,"login":"a"}', '"actor":{"login":"a"}'),
    base.replace('"actor":{"id":1,"login":"a"}', '"actor":[1]'),
    base.replace('"actor":{"id":1,"login":"a"}', '"actor":null'),
    base.replace('"actor":{"id":1,"login":"a"}', '"actor":{"id":1,"login":"a","id":"x"}'),
    base.replace('"repo":{"id":2,"name":"a/b"}', '"repo":{"id":2,"name":7}'),
    base.replace('"repo":{"id":2,"name":"a/b"}', '"repo":{"id":2.5e1,"name":"a/b"}'), // still a number: passes both ways
    base.replace('"created_at":"2013-01-10T07:58:30Z"', '"created_at":"2013-01-10T07:58:30.000Z"'),
    base.replace('"created_at":"2013-01-10T07:58:30Z"', '"created_at":"2013-02-29T07:58:30Z"'),
    base.replace('"created_at":"2013-01-10T07:58:30Z"', '"created_at":"2012-02-29T23:59:59Z"'),
    base.replace('"created_at":"2013-01-10T07:58:30Z"', '"created_at":"2013-01-10T24:00:00Z"'),
    base.replace('"created_at":"2013-01-10T07:58:30Z"', '"created_at":"2013/01/10 07:58:30 +0000"'),
    base.replace('"created_at":"2013-01-10T07:58:30Z"', '"created_at":1357804710'),
    base.replace(',"created_at":"2013-01-10T07:58:30Z"', ''),
    base.replace('-2.5e3', '-2.5e'),
    base.replace('-2.5e3', '01'),
    base.replace('-2.5e3', '.5'),
    base.replace('-2.5e3', '-'),
    base.replace('true', 'tru'),
    base.replace('null', 'nul'),
    base.replace('{}', '{,}'),
    base.replace('[1,', '[1,,'),
    base.replace('\\u00e9', '\\u00g9'),
    base.replace('\\n', '\\x'),
    base.replace('\\n', '\n'), // raw control character inside a string
    base.replace('"payload":', '"payload" :\t'), // JSON whitespace
    base.slice(0, -1), // truncated
    base + 'x',
    base + ',',
    `[${base}]`,
    '{}',
    '""',
    'null',
    `{"a":${'['.repeat(200)}${']'.repeat(200)},${base.slice(1)}`, // deep nesting
  ];
  let passed = 0;
  for (const c of cases) if (same(Buffer.from(c), 'edge')) passed++;
  assert.ok(passed > 3 && passed < cases.length, `some edge cases are valid, most are not (${passed})`);
  // Non-UTF-8 bytes and surrounding whitespace are the caller's checks: the scanner is never asked, outcomes still match.
  same(Buffer.concat([Buffer.from(base.slice(0, 60)), Buffer.from([0xff]), Buffer.from(base.slice(60))]), 'bad utf8');
  same(Buffer.from(` ${base}\n`), 'padded');
});

test('GitHub event scanner: every truncation and single-byte change of real events gets the JSON.parse verdict', () => {
  const specials = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x20, 0x0a, 0x30, 0x61, 0x2d, 0x2e, 0x65, 0x00, 0xc3];
  let checked = 0;
  for (const line of fixtureLines.slice(0, 6)) {
    const b = Buffer.from(line);
    for (let cut = 1; cut < b.length; cut += 7) same(b.subarray(0, cut), 'truncated');
    for (let i = 0; i < b.length; i += 3) {
      const m = Buffer.from(b);
      m[i] = specials[(i / 3) % specials.length]!;
      // at every alignment of the payload in its backing buffer (the scanner reads aligned 32-bit words)
      const at = i % 4;
      const backing = Buffer.alloc(m.length + 8, 0x22);
      m.copy(backing, at);
      same(backing.subarray(at, at + m.length), `byte ${i} at offset ${at}`);
      checked++;
    }
  }
  assert.ok(checked > 1000);
});
