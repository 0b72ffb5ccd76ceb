import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastBatchBody } from '../../src/collector/batch-body.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('fast batch reader returns what JSON.parse returns for the common shapes', () => {
  const bodies = [
    JSON.stringify({ DeliveryStreamName: 'github', Records: [{ Data: b64('{"a":1}') }, { Data: b64('x') }] }),
    JSON.stringify({ Records: [{ Data: b64('only') }] }),
    JSON.stringify({ Records: [] }),
    JSON.stringify({}),
    JSON.stringify({ Records: [{ Data: '' }], DeliveryStreamName: 'github' }),
    ` \n{ "DeliveryStreamName" : "github" ,\r\n\t"Records" : [ { "Data" : "${b64('ws')}" } , {"Data":"!!not base64"} ] } \n`,
  ];
  for (const body of bodies) assert.deepEqual(fastBatchBody(Buffer.from(body)), JSON.parse(body), body);
});

test('fast batch reader defers to JSON.parse for anything else', () => {
  const others = [
    '{"Records":[{"Data":"a\\u0041"}]}', // escapes
    '{"Record":{"Data":"eA=="}}', // PutRecord
    '{"Records":[{"Data":"eA==","PartitionKey":"k"}]}', // extra key
    '{"Records":[{"Data":1}]}', // not a string
    '{"Records":{"Data":"eA=="}}', // not an array
    '{"Records":[{"Data":"eA=="}],"Records":[]}', // duplicate Records
    '{"Records":[{"Data":"eA=="}]', // truncated
    '{"Records":[{"Data":"eA=="},]}', // trailing comma
    '{"Records":[{"Data":"eA=="}]} x', // trailing garbage
    '[]',
    '',
  ];
  for (const body of others) assert.equal(fastBatchBody(Buffer.from(body)), undefined, body);
});
