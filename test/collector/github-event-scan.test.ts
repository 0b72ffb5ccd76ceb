import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { githubEventTransform, githubEventTransformParsed, transformRecord } from '../../src/collector/firehose-transform.ts';
import { githubEventScanner, isNormalGithubEvent, isNormalGithubEventJs } from '../../src/collector/github-event-scan.ts';
import { nativeIsNormalGithubEvent, nativeScanProblem } from '../../src/collector/native-scan.ts';
import { fixtureLines } from './helpers.ts';

type Scanner = (b: Uint8Array) => boolean;
/** Every scanner that can run here: the JS one always, the native one when built (and EVENTLAKE_NATIVE_SCAN is not 0). */
const scanners: [string, Scanner][] = [['js', isNormalGithubEventJs]];
if (nativeIsNormalGithubEvent) scanners.push(['native', nativeIsNormalGithubEvent]);
const native = nativeIsNormalGithubEvent;
// Skipped only when the JS scanner is asked for; a missing build fails (npm ci builds it; CI installs the compiler).
const noNative = process.env.EVENTLAKE_NATIVE_SCAN === '0' ? 'EVENTLAKE_NATIVE_SCAN=0' : false;

test('GitHub event scanner: the native scanner is built and loads (npm run build:native)', { skip: noNative }, () => {
  assert.equal(nativeScanProblem, undefined);
});

/** The caller's checks before it asks the scanner (firehose-transform.ts): no surrounding whitespace, valid UTF-8. */
function clean(b: Buffer): boolean {
  return b.length > 0 && b[0]! > 0x20 && b[0]! < 0x7f && b[b.length - 1]! > 0x20 && b[b.length - 1]! < 0x7f && isUtf8(b);
}

/**
 * Each scanner's yes is sound: a record it passes is one the JSON.parse path returns unchanged, byte for byte.
 * Returns the scanners' common answer (and requires them to agree exactly).
 */
function verdict(b: Buffer, label: string): boolean {
  const answers = scanners.map(([, scan]) => scan(b));
  assert.ok(answers.every((a) => a === answers[0]), `${label}: scanners disagree (${scanners.map(([n], i) => `${n} ${answers[i]}`).join(', ')}): ${JSON.stringify(b.toString('latin1').slice(0, 300))}`);
  if (answers[0] && clean(b)) {
    const slow = transformRecord(githubEventTransformParsed, b, false);
    assert.equal(slow.result, 'Ok', `${label}: scanned as normal but the JSON.parse path says ${slow.errorMessage}`);
    assert.ok(slow.data!.equals(b), `${label}: scanned as normal but the JSON.parse path changes it`);
  }
  return answers[0]!;
}

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
      for (const [name, scan] of scanners) assert.equal(scan(b), true, `${name}: ${line.slice(0, 120)}`);
      assert.ok(same(b, 'fixture'));
    }
  }
  for (const [name, scan] of scanners) assert.equal(scan(Buffer.from(base)), true, name);
});

test('GitHub event scanner: the transform uses the native scanner when it is built, also in worker threads (delivery)', { skip: noNative }, async () => {
  assert.equal(githubEventScanner, 'native');
  assert.equal(isNormalGithubEvent, native);
  // The transform runs in the collector's delivery worker threads: the addon must load there too (each thread its own).
  const tsx = import.meta.resolve('tsx/esm/api');
  const scan = new URL('../../src/collector/github-event-scan.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsx)}; register();
    const { parentPort } = await import('node:worker_threads');
    const m = await import(${JSON.stringify(scan)});
    parentPort.postMessage([m.githubEventScanner, m.isNormalGithubEvent(Buffer.from(${JSON.stringify(base)})), m.isNormalGithubEvent(Buffer.from('{}'))]);`;
  const results = await Promise.all(
    [0, 1].map(async () => {
      const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
      const [msg] = (await once(w, 'message')) as [unknown];
      await w.terminate();
      return msg;
    }),
  );
  assert.deepEqual(results, [['native', true, false], ['native', true, false]]);
});

test('GitHub event scanner: the native one takes any Uint8Array view and rejects anything else with a TypeError', { skip: noNative }, () => {
  const b = Buffer.from(base);
  const copy = new Uint8Array(new ArrayBuffer(b.length + 3), 3, b.length);
  copy.set(b);
  assert.equal(native!(copy), true);
  assert.equal(native!(copy.subarray(0, b.length - 1)), false);
  for (const bad of ['{}', new Uint16Array(4), new DataView(new ArrayBuffer(4)), undefined, [0x7b, 0x7d]]) {
    assert.throws(() => (native as (x: unknown) => boolean)(bad), TypeError, String(bad));
  }
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
  for (const c of cases) {
    verdict(Buffer.from(c), 'edge');
    if (same(Buffer.from(c), 'edge')) passed++;
  }
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
      verdict(backing.subarray(at, at + m.length), `byte ${i} at offset ${at}`);
      checked++;
    }
  }
  assert.ok(checked > 1000);
});

// ---- the native scanner against the JS one: identical answers on random mutations of real events ---------------

/** A small deterministic PRNG (mulberry32): a failure names its seed and can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const events = fixtureLines.map((l) => Buffer.from(l));
const SPECIAL = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x20, 0x09, 0x0a, 0x0d, 0x30, 0x31, 0x39, 0x2d, 0x2e, 0x2b, 0x65, 0x45, 0x75, 0x74, 0x66, 0x6e, 0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xff];
const INSERTS = ['\\', '\\"', '\\u0041', '\\u00', '\\n', '\\/', '\\x', '\\', ' ', '\t', '\r\n', ',', ':', '{}', '[]', '"', '""', '-', '0', '1e5', 'null', 'tru', '\u00e9', '\ud83d\ude00'].map((x) => Buffer.from(x));
const DUPLICATES = ['"id":"7",', '"id":7,', '"type":"PushEvent",', '"actor":{"id":1,"login":"x"},', '"repo":{"id":2,"name":"x/y"},', '"created_at":"2013-01-10T07:58:30Z",', '"\\u0069d":"7",'].map((x) => Buffer.from(x));

/** One random mutation of a real event. */
function mutate(r: () => number, ev: Buffer): { b: Buffer; what: string } {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const at = Math.floor(r() * ev.length);
  switch (Math.floor(r() * 7)) {
    case 0: {
      const b = Buffer.from(ev);
      const flips = 1 + Math.floor(r() * 3);
      for (let i = 0; i < flips; i++) b[Math.floor(r() * b.length)] = r() < 0.7 ? pick(SPECIAL) : Math.floor(r() * 256);
      return { b, what: `${flips} byte flip(s)` };
    }
    case 1:
      return { b: ev.subarray(0, at), what: `truncated at ${at}` };
    case 2: {
      const ins = pick(INSERTS);
      return { b: Buffer.concat([ev.subarray(0, at), ins, ev.subarray(at)]), what: `inserted ${JSON.stringify(ins.toString())} at ${at}` };
    }
    case 3: {
      // a duplicate (or escaped) required key right after an opening brace: top level, actor, repo or payload
      const braces = [...ev.keys()].filter((i) => ev[i] === 0x7b);
      const i = pick(braces) + 1;
      const d = pick(DUPLICATES);
      const b = Buffer.concat([ev.subarray(0, i), d, ev.subarray(i)]);
      return { b, what: `inserted ${d.toString()} at ${i}` };
    }
    case 4: {
      // deep nesting around MAX_DEPTH in place of a value
      const colons = [...ev.keys()].filter((i) => ev[i] === 0x3a);
      const i = pick(colons) + 1;
      const depth = 55 + Math.floor(r() * 20);
      const open = r() < 0.5 ? '[' : '{"k":';
      const close = open === '[' ? ']' : '}';
      const b = Buffer.concat([ev.subarray(0, i), Buffer.from(open.repeat(depth) + '0' + close.repeat(depth) + ','), ev.subarray(i)]);
      return { b, what: `nested ${depth} x ${open} at ${i}` };
    }
    case 5: {
      // a byte removed
      return { b: Buffer.concat([ev.subarray(0, at), ev.subarray(at + 1)]), what: `removed byte ${at}` };
    }
    default: {
      // a span swapped with another part of the event (moves keys, brackets and quotes around)
      const len = 1 + Math.floor(r() * 40);
      const from = Math.floor(r() * Math.max(1, ev.length - len));
      const b = Buffer.from(ev);
      ev.copy(b, at, from, Math.min(ev.length, from + len));
      return { b, what: `copied ${len} bytes from ${from} to ${at}` };
    }
  }
}

test('GitHub event scanner: native and JS agree exactly on thousands of random mutations of real events (and say yes only where JSON.parse does)', () => {
  const seed = 20261130;
  const r = rng(seed);
  let yes = 0;
  const N = 6000;
  for (let k = 0; k < N; k++) {
    const ev = events[k % events.length]!;
    const { b, what } = mutate(r, ev);
    // at every alignment in its backing buffer (the JS scanner reads aligned words), padded with quotes on both sides
    const off = k & 7;
    const backing = Buffer.alloc(b.length + 16, 0x22);
    b.copy(backing, off);
    if (verdict(backing.subarray(off, off + b.length), `seed ${seed} #${k}: ${what}`)) yes++;
  }
  // the mutations reach both answers (whitespace, valid escapes and harmless nesting keep an event normal)
  assert.ok(yes > N / 20 && yes < N / 2, `${yes} of ${N} mutations still normal`);
});

test('GitHub event scanner: every prefix of real events is not normal, in both scanners (no read past the end)', () => {
  for (const ev of events.slice(0, 8)) {
    for (let len = 0; len < ev.length; len++) {
      // an exact-size copy: nothing after the prefix in its memory to read by mistake
      const b = Buffer.from(ev.subarray(0, len));
      for (const [name, scan] of scanners) assert.equal(scan(b), false, `${name}: prefix of ${len} bytes`);
    }
  }
  for (const [name, scan] of scanners) {
    assert.equal(scan(new Uint8Array(0)), false, name);
    assert.equal(scan(new Uint8Array(new ArrayBuffer(8), 8, 0)), false, name);
  }
});

test('GitHub event scanner: both stop at the same nesting depth (MAX_DEPTH) and answer the same around it', () => {
  const answers: boolean[] = [];
  for (let depth = 58; depth <= 70; depth++) {
    for (const [open, close] of [['[', ']'], ['{"k":', '}']] as const) {
      const b = Buffer.from(`{"a":${open.repeat(depth)}1${close.repeat(depth)},${base.slice(1)}`);
      answers.push(verdict(b, `depth ${depth} ${open}`));
      const inActor = Buffer.from(base.replace('"login":"a"', `"login":"a","x":${open.repeat(depth)}1${close.repeat(depth)}`));
      verdict(inActor, `actor depth ${depth} ${open}`);
    }
  }
  assert.ok(answers.includes(true) && answers.includes(false), 'the depth limit lies inside the range tried');
  // far deeper than MAX_DEPTH: a quick no, no stack overflow
  for (const [name, scan] of scanners) assert.equal(scan(Buffer.from(`{"a":${'['.repeat(100_000)}`)), false, name);
});

test('GitHub event scanner: native and JS agree on records with escapes, whitespace and duplicate keys everywhere', () => {
  let checked = 0;
  for (const ev of events.slice(0, 3)) {
    const text = ev.toString();
    // each structural position (after every , : { [) gets whitespace, each string start an escape
    for (let i = 1; i < ev.length; i++) {
      const c = ev[i - 1];
      if (c === 0x2c || c === 0x3a || c === 0x7b || c === 0x5b) {
        verdict(Buffer.concat([ev.subarray(0, i), Buffer.from(' \t\n'), ev.subarray(i)]), `whitespace at ${i}`);
        checked++;
      }
      if (c === 0x22) {
        verdict(Buffer.concat([ev.subarray(0, i), Buffer.from('\\u0020'), ev.subarray(i)]), `escape at ${i}`);
        verdict(Buffer.concat([ev.subarray(0, i), Buffer.from('\\q'), ev.subarray(i)]), `bad escape at ${i}`);
        checked += 2;
      }
    }
    for (const key of ['id', 'type', 'actor', 'repo', 'created_at', 'login', 'name']) {
      const m = new RegExp(`"${key}":("[^"]*"|\\d+|\\{[^{}]*\\})`).exec(text);
      if (!m) continue;
      verdict(Buffer.from(text.replace(m[0], `${m[0]},${m[0]}`)), `duplicate ${key}`);
      verdict(Buffer.from(text.replace(`"${key}":`, `"\\u00${key.charCodeAt(0).toString(16)}${key.slice(1)}":`)), `escaped key ${key}`);
      checked += 2;
    }
  }
  assert.ok(checked > 500, `${checked}`);
});
