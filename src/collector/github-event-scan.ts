// A byte scanner for the default GitHub transform's common case: one pass over the record's bytes that checks it is
// valid JSON and that its top-level GitHub fields are already in normal form, building no objects or strings
// (JSON.parse of a 1.8 KB event costs ~8 µs and makes ~100 objects of garbage; this costs ~1–2 µs and makes none).
// It answers only "certainly valid and already normal" (the record passes byte for byte) or "not sure": then the
// transform takes the JSON.parse path, which owns every error message and every normalisation. So the scanner never
// needs to agree with JSON.parse on what is wrong, only never say yes where JSON.parse-then-check would not return
// the record unchanged (test/collector/github-event-scan.test.ts compares the two on real and mutated records).
//
// "Certainly normal" (the checks githubEventTransform makes on the parsed event):
//   id          a string of ASCII digits (a numeric id needs re-serialising: not sure)
//   type        a string /^[A-Za-z]+Event$/
//   actor       an object with id a number and login a string; repo likewise with id and name
//   created_at  "YYYY-MM-DDTHH:MM:SSZ" with a real calendar date and time
// Anything unusual is "not sure": a required key written with escapes or twice (JSON.parse keeps the last one), escapes
// inside id/type/created_at, nesting deeper than MAX_DEPTH, and line breaks between tokens (valid JSON, but a record
// passed byte for byte must stay one line of the NDJSON output: JSON.parse's path re-serialises it). The caller checks isUtf8 and the absence of surrounding
// whitespace first (the scanner looks at bytes, JSON.parse at the decoded text).
//
// native/event-scan/event_scan.c is a line-for-line C port (0.86 vs 2.6–2.8 µs per real event, N-API call included;
// loaded by native-scan.ts): it is used when built, this one otherwise. Any change to the rules here must be made there
// too: the tests require identical answers from both on real, mutated and truncated records.
import { nativeIsNormalGithubEvent } from './native-scan.ts';

const MAX_DEPTH = 64;
const EMPTY_WORDS = new Int32Array(0);
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Field bits of a top-level event / of actor and repo.
const ID = 1;
const TYPE = 2;
const ACTOR = 4;
const REPO = 8;
const CREATED = 16;
const ALL = ID | TYPE | ACTOR | REPO | CREATED;
const SUB_ID = 1;
const SUB_NAME = 2; // login for actor, name for repo

/** Scanner state: the position and the last string's flags, on one object so helpers return only a position. */
class Scan {
  /** Set by str(): the string held a backslash escape. */
  escaped = false;
  /** The bytes as aligned 32-bit words, from b[lead] on: string contents are skipped a word at a time. */
  private readonly words: Int32Array;
  private readonly lead: number;
  constructor(readonly b: Uint8Array) {
    this.lead = (4 - (b.byteOffset & 3)) & 3;
    this.words = b.length > this.lead + 4 ? new Int32Array(b.buffer, b.byteOffset + this.lead, (b.length - this.lead) >> 2) : EMPTY_WORDS;
  }

  ws(p: number): number {
    const b = this.b;
    for (;;) {
      const c = b[p];
      if (c === 0x20 || c === 0x09) p++; // a line break is "not sure": the record may not pass as one NDJSON line
      else return p;
    }
  }

  /** p at an opening quote: position after the closing quote, or -1 when not a valid JSON string. */
  str(p: number): number {
    const b = this.b;
    const n = b.length;
    const words = this.words;
    const lead = this.lead;
    this.escaped = false;
    p++;
    for (;;) {
      // Word at a time (SWAR) while no byte of the word is a quote, a backslash or a control character: about 3x
      // fewer steps than a byte loop over the long strings (URLs, texts) that make up most of an event.
      if (((p - lead) & 3) === 0 && p >= lead) {
        let wi = (p - lead) >> 2;
        for (; wi < words.length; wi++) {
          const x = words[wi]!;
          const q = x ^ 0x22222222;
          const e = x ^ 0x5c5c5c5c;
          if ((((q - 0x01010101) & ~q) | ((e - 0x01010101) & ~e) | ((x - 0x20202020) & ~x)) & 0x80808080) break;
        }
        p = lead + (wi << 2);
      }
      if (p >= n) return -1;
      const c = b[p]!;
      if (c === 0x22) return p + 1;
      if (c === 0x5c) {
        this.escaped = true;
        const e = b[p + 1];
        if (e === 0x75) {
          // \uXXXX
          if (!isHex(b[p + 2]) || !isHex(b[p + 3]) || !isHex(b[p + 4]) || !isHex(b[p + 5])) return -1;
          p += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) p += 2;
        else return -1;
      } else if (c < 0x20) return -1; // control characters must be escaped
      else p++;
    }
  }

  /** p at the first character of a number: position after it, or -1. */
  num(p: number): number {
    const b = this.b;
    if (b[p] === 0x2d) p++;
    if (b[p] === 0x30) p++;
    else if (isDigit1(b[p])) {
      p++;
      while (isDigit(b[p])) p++;
    } else return -1;
    if (b[p] === 0x2e) {
      p++;
      if (!isDigit(b[p])) return -1;
      while (isDigit(b[p])) p++;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      p++;
      if (b[p] === 0x2b || b[p] === 0x2d) p++;
      if (!isDigit(b[p])) return -1;
      while (isDigit(b[p])) p++;
    }
    return p;
  }

  /** Any JSON value at p (after whitespace): position after it, or -1. */
  value(p: number, depth: number): number {
    const b = this.b;
    const c = b[p];
    if (c === 0x22) return this.str(p);
    if (c === 0x7b) return this.object(p, depth + 1);
    if (c === 0x5b) return this.array(p, depth + 1);
    if (c === 0x74) return b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65 ? p + 4 : -1; // true
    if (c === 0x66) return b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65 ? p + 5 : -1; // false
    if (c === 0x6e) return b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c ? p + 4 : -1; // null
    return this.num(p);
  }

  /** An object at p ('{'), keys not looked at. */
  object(p: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    const b = this.b;
    p = this.ws(p + 1);
    if (b[p] === 0x7d) return p + 1;
    for (;;) {
      if (b[p] !== 0x22) return -1;
      p = this.ws(this.str(p));
      if (p < 0 || b[p] !== 0x3a) return -1;
      p = this.value(this.ws(p + 1), depth);
      if (p < 0) return -1;
      p = this.ws(p);
      const c = b[p];
      if (c === 0x7d) return p + 1;
      if (c !== 0x2c) return -1;
      p = this.ws(p + 1);
    }
  }

  array(p: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    const b = this.b;
    p = this.ws(p + 1);
    if (b[p] === 0x5d) return p + 1;
    for (;;) {
      p = this.value(p, depth);
      if (p < 0) return -1;
      p = this.ws(p);
      const c = b[p];
      if (c === 0x5d) return p + 1;
      if (c !== 0x2c) return -1;
      p = this.ws(p + 1);
    }
  }

  /**
   * actor / repo at p: an object whose "id" is a number and whose `nameKey` is a string (each once, unescaped key).
   * Returns the position after it, or -1 (not sure).
   */
  sub(p: number, nameKey: Uint8Array): number {
    const b = this.b;
    if (b[p] !== 0x7b) return -1;
    let seen = 0;
    p = this.ws(p + 1);
    if (b[p] === 0x7d) return -1; // no id/name
    for (;;) {
      if (b[p] !== 0x22) return -1;
      const ks = p;
      const ke = this.str(p);
      if (ke < 0 || this.escaped) return -1; // an escaped key could spell a required one
      p = this.ws(ke);
      if (b[p] !== 0x3a) return -1;
      p = this.ws(p + 1);
      let bit = 0;
      if (keyIs(b, ks, ke, ID_KEY)) bit = SUB_ID;
      else if (keyIs(b, ks, ke, nameKey)) bit = SUB_NAME;
      if (bit !== 0) {
        if (seen & bit) return -1; // duplicate: JSON.parse keeps the last one
        seen |= bit;
        const c = b[p];
        if (bit === SUB_ID ? c !== 0x2d && !isDigit(c) : c !== 0x22) return -1;
      }
      p = this.value(p, 2);
      if (p < 0) return -1;
      p = this.ws(p);
      const c = b[p];
      if (c === 0x7d) return seen === (SUB_ID | SUB_NAME) ? p + 1 : -1;
      if (c !== 0x2c) return -1;
      p = this.ws(p + 1);
    }
  }
}

const ascii = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const ID_KEY = ascii('id');
const TYPE_KEY = ascii('type');
const ACTOR_KEY = ascii('actor');
const REPO_KEY = ascii('repo');
const CREATED_KEY = ascii('created_at');
const LOGIN_KEY = ascii('login');
const NAME_KEY = ascii('name');

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}
function isDigit1(c: number | undefined): boolean {
  return c !== undefined && c >= 0x31 && c <= 0x39;
}
function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** True when the string token [ks, ke) (quotes included) is exactly `key`. */
function keyIs(b: Uint8Array, ks: number, ke: number, key: Uint8Array): boolean {
  if (ke - ks - 2 !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (b[ks + 1 + i] !== key[i]) return false;
  return true;
}

/** The string token [s, e) is a non-empty run of digits. */
function digitsString(b: Uint8Array, s: number, e: number): boolean {
  if (e - s < 3) return false;
  for (let i = s + 1; i < e - 1; i++) if (!isDigit(b[i])) return false;
  return true;
}

/** The string token [s, e) is /^[A-Za-z]+Event$/. */
function eventType(b: Uint8Array, s: number, e: number): boolean {
  const len = e - s - 2;
  if (len < 6) return false;
  const t = e - 6; // start of "Event"
  if (b[t] !== 0x45 || b[t + 1] !== 0x76 || b[t + 2] !== 0x65 || b[t + 3] !== 0x6e || b[t + 4] !== 0x74) return false;
  for (let i = s + 1; i < e - 1; i++) if (!isAlpha(b[i]!)) return false;
  return true;
}

function two(b: Uint8Array, i: number): number {
  const x = b[i]!;
  const y = b[i + 1]!;
  return isDigit(x) && isDigit(y) ? (x - 0x30) * 10 + (y - 0x30) : -1;
}

/** The string token [s, e) is "YYYY-MM-DDTHH:MM:SSZ" with a real date and time (the transform's normal form). */
function normalTimestamp(b: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 22) return false;
  const q = s + 1;
  if (b[q + 4] !== 0x2d || b[q + 7] !== 0x2d || b[q + 10] !== 0x54 || b[q + 13] !== 0x3a || b[q + 16] !== 0x3a || b[q + 19] !== 0x5a) return false;
  const hi = two(b, q);
  const lo = two(b, q + 2);
  const mo = two(b, q + 5);
  const d = two(b, q + 8);
  const h = two(b, q + 11);
  const mi = two(b, q + 14);
  const sec = two(b, q + 17);
  if (hi < 0 || lo < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return false;
  const y = hi * 100 + lo;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (mo === 2 && !leap ? 28 : DAYS[mo - 1]!);
}

/**
 * True when `b` (valid UTF-8, no surrounding whitespace: the caller checks) is a GitHub event that the default
 * transform would pass through unchanged; false when not sure (the JSON.parse path decides).
 * The native scanner when built (and EVENTLAKE_NATIVE_SCAN is not 0), else the JS one.
 */
export const isNormalGithubEvent: (b: Uint8Array) => boolean = nativeIsNormalGithubEvent ?? isNormalGithubEventJs;

/** Which scanner isNormalGithubEvent is. */
export const githubEventScanner: 'native' | 'js' = nativeIsNormalGithubEvent ? 'native' : 'js';

/** The JS scanner (always available: the fallback, and the reference the tests hold the native one to). */
export function isNormalGithubEventJs(b: Uint8Array): boolean {
  const s = new Scan(b);
  if (b[0] !== 0x7b) return false;
  let seen = 0;
  let p = s.ws(1);
  if (b[p] === 0x7d) return false;
  for (;;) {
    if (b[p] !== 0x22) return false;
    const ks = p;
    const ke = s.str(p);
    if (ke < 0 || s.escaped) return false;
    p = s.ws(ke);
    if (b[p] !== 0x3a) return false;
    p = s.ws(p + 1);
    let bit = 0;
    if (keyIs(b, ks, ke, ID_KEY)) bit = ID;
    else if (keyIs(b, ks, ke, TYPE_KEY)) bit = TYPE;
    else if (keyIs(b, ks, ke, ACTOR_KEY)) bit = ACTOR;
    else if (keyIs(b, ks, ke, REPO_KEY)) bit = REPO;
    else if (keyIs(b, ks, ke, CREATED_KEY)) bit = CREATED;
    if (bit !== 0) {
      if (seen & bit) return false; // duplicate key: JSON.parse keeps the last one
      seen |= bit;
      const vs = p;
      if (bit === ACTOR) p = s.sub(p, LOGIN_KEY);
      else if (bit === REPO) p = s.sub(p, NAME_KEY);
      else {
        if (b[p] !== 0x22) return false;
        p = s.str(p);
        if (p < 0 || s.escaped) return false;
        if (bit === ID ? !digitsString(b, vs, p) : bit === TYPE ? !eventType(b, vs, p) : !normalTimestamp(b, vs, p)) return false;
      }
    } else p = s.value(p, 1);
    if (p < 0) return false;
    p = s.ws(p);
    const c = b[p];
    if (c === 0x7d) return seen === ALL && p + 1 === b.length;
    if (c !== 0x2c) return false;
    p = s.ws(p + 1);
  }
}
