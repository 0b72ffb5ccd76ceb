import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { githubEventTransform, transformRecord } from '../../src/collector/firehose-transform.ts';
import { fixtureLines } from './helpers.ts';

test('GitHub transform keeps normal events byte for byte and re-serialises only what it must', () => {
  const raw = Buffer.from(fixtureLines[0]!);
  const same = transformRecord(githubEventTransform, raw);
  assert.equal(same.result, 'Ok');
  assert.deepEqual(same.data, Buffer.concat([raw, Buffer.from('\n')]));

  const padded = transformRecord(githubEventTransform, Buffer.from(`  ${fixtureLines[0]}\r\n`));
  assert.equal(padded.data!.toString(), `${fixtureLines[0]}\n`);

  const numericId = transformRecord(githubEventTransform, Buffer.from('{"id":42,"type":"WatchEvent","actor":{"id":1,"login":"a"},"repo":{"id":2,"name":"a/b"},"created_at":"2013-01-10T07:58:30.000Z"}'));
  assert.deepEqual(JSON.parse(numericId.data!.toString()), { id: '42', type: 'WatchEvent', actor: { id: 1, login: 'a' }, repo: { id: 2, name: 'a/b' }, created_at: '2013-01-10T07:58:30Z' });

  // A truncated 4-byte UTF-8 sequence decodes to one U+FFFD of the same byte length: the output must still be valid UTF-8.
  const bad = Buffer.concat([Buffer.from('{"id":"5","type":"PushEvent","actor":{"id":1,"login":"'), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from('"},"repo":{"id":2,"name":"a/b"},"created_at":"2013-01-10T07:58:30Z"}')]);
  const out = transformRecord(githubEventTransform, bad);
  assert.equal(out.result, 'Ok');
  assert.ok(isUtf8(out.data!));
  assert.equal(JSON.parse(out.data!.toString()).actor.login, '\ufffd');
});

test('GitHub transform: a valid, already normal event with line breaks between tokens comes out as one NDJSON line', async () => {
  const { isNormalGithubEvent, isNormalGithubEventJs } = await import('../../src/collector/github-event-scan.ts');
  const ev = JSON.parse(fixtureLines[0]!) as Record<string, unknown>;
  for (const text of [JSON.stringify(ev, null, 2), JSON.stringify(ev, null, '\t').replace(/\n/g, '\r\n'), JSON.stringify(ev).replace('","', '",\n"')]) {
    const b = Buffer.from(text);
    assert.equal(isNormalGithubEvent(b), false);
    assert.equal(isNormalGithubEventJs(b), false);
    const o = transformRecord(githubEventTransform, b);
    assert.equal(o.result, 'Ok');
    assert.equal(o.data!.toString(), JSON.stringify(ev) + '\n');
  }
});
