import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { handler } from '../../src/collector/firehose-transform.ts';

const real = gunzipSync(readFileSync(new URL('../fixtures/github-events-2013.json.gz', import.meta.url))).toString('utf8').trim().split('\n');

test('Lambda handler: real events are Ok, malformed ones ProcessingFailed, blank ones Dropped', async () => {
  const records = [
    ...real.slice(0, 3).map((l, i) => ({ recordId: `r${i}`, approximateArrivalTimestamp: 0, data: Buffer.from(l).toString('base64') })),
    { recordId: 'bad', approximateArrivalTimestamp: 0, data: Buffer.from('{"id": oops').toString('base64') },
    { recordId: 'noactor', approximateArrivalTimestamp: 0, data: Buffer.from('{"id":"1","type":"PushEvent","repo":{"id":1,"name":"a/b"},"created_at":"2013-01-10T07:58:30Z"}').toString('base64') },
    { recordId: 'blank', approximateArrivalTimestamp: 0, data: Buffer.from('  \n').toString('base64') },
  ];
  const out = await handler({ invocationId: 'inv', deliveryStreamArn: 'arn:aws:firehose:us-east-1:1:deliverystream/x', region: 'us-east-1', records });
  assert.deepEqual(out.records.map((r) => r.result), ['Ok', 'Ok', 'Ok', 'ProcessingFailed', 'ProcessingFailed', 'Dropped']);
  assert.deepEqual(out.records.map((r) => r.recordId), records.map((r) => r.recordId));
  const first = JSON.parse(Buffer.from(out.records[0]!.data, 'base64').toString());
  assert.equal(first.id, '1652857722');
  assert.equal(first.created_at, '2013-01-10T07:58:30Z');
  assert.ok(Buffer.from(out.records[0]!.data, 'base64').toString().endsWith('\n'));
  assert.deepEqual(Object.keys(out.records[3]!).sort(), ['data', 'recordId', 'result']);
});
