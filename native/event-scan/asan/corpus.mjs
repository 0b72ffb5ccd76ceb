// Writes random mutations of the real GitHub events, and every prefix of each, with the JS scanner's answer:
// records of [u32 LE length][u8 answers][bytes]: bit 0 isNormalGithubEventJs, bit 1 node:buffer's isUtf8, bit 2 the
// record passes the GitHub transform unchanged (visible ASCII first and last byte, UTF-8, normal). Run through tsx (it imports the TypeScript scanner): see check.sh.
import { isUtf8 } from 'node:buffer';
import { createWriteStream } from 'node:fs';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { isNormalGithubEventJs } from '../../../src/collector/github-event-scan.ts';

const [, , outFile, countArg] = process.argv;
const fixture = new URL('../../../test/fixtures/github-events-2013.json.gz', import.meta.url);
const events = gunzipSync(readFileSync(fixture)).toString('utf8').trim().split('\n').map((l) => Buffer.from(l));
let seed = 20261130;
const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff), seed / 0x80000000);
const pick = (xs) => xs[Math.floor(r() * xs.length)];
const SPECIAL = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x20, 0x0a, 0x30, 0x2d, 0x2e, 0x65, 0x75, 0x74, 0x66, 0x6e, 0x00, 0x1f, 0xff, 0x80, 0xbf, 0xc1, 0xc3, 0xe0, 0xed, 0xf0, 0xf4];
const INSERTS = ['\\', '\\u', '\\u12', '\\u1234', '\\"', '"', '{', '[', 'tru', 'fals', 'nul', '-', '1e', '1.', ' ', '"id":"1",', '['.repeat(70), 'é', '€', '😀', '\u{10ffff}'].map((x) => Buffer.from(x));

const out = createWriteStream(outFile);
let records = 0;
let normal = 0;
const put = (b) => {
  const head = Buffer.alloc(5);
  head.writeUInt32LE(b.length);
  const normalJs = isNormalGithubEventJs(b);
  const utf8 = isUtf8(b);
  const visible = (c) => c !== undefined && c > 0x20 && c < 0x7f;
  head[4] = (normalJs ? 1 : 0) | (utf8 ? 2 : 0) | (visible(b[0]) && visible(b[b.length - 1]) && utf8 && normalJs ? 4 : 0);
  normal += normalJs ? 1 : 0;
  records++;
  out.write(Buffer.concat([head, b]));
};
for (const ev of events) for (let len = 0; len <= ev.length; len++) put(ev.subarray(0, len));
for (let k = 0; k < Number(countArg ?? 100000); k++) {
  let b = Buffer.from(events[k % events.length]);
  for (let j = 1 + Math.floor(r() * 3); j > 0; j--) {
    const at = Math.floor(r() * b.length);
    const kind = Math.floor(r() * 4);
    if (kind === 0) b[at] = pick(SPECIAL);
    else if (kind === 1) b = Buffer.concat([b.subarray(0, at), pick(INSERTS), b.subarray(at)]);
    else if (kind === 2) b = Buffer.from(b.subarray(0, at));
    else b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(r() * 10))]);
  }
  put(b);
  if (b.length > 2) put(b.subarray(0, b.length - 1 - Math.floor(r() * 2))); // cut near the end: reads near the edge
  if (out.writableNeedDrain) await new Promise((res) => out.once('drain', res));
}
out.end();
await new Promise((res) => out.once('finish', res));
console.error(`corpus: ${records} records, ${normal} normal`);
