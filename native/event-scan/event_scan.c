// N-API port of src/collector/github-event-scan.ts (isNormalGithubEvent): one pass over a record's bytes that says
// "certainly valid JSON and an already normal GitHub event" (true) or "not sure" (false). The rules, MAX_DEPTH and the
// duplicate/escaped-key handling are the JS scanner's, line for line (read its header for the "why"); the tests run
// both on real, mutated and truncated records and require identical answers. The bytes come from the network: every
// read goes through at() (out of range reads as -1, like JS's undefined), and recursion stops at MAX_DEPTH.
#ifndef EVENT_SCAN_NO_NAPI // defined by asan/check.sh, which compiles the scanner alone under ASan/UBSan
#include <node_api.h>
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct {
  const uint8_t *b;
  ptrdiff_t n;
  int escaped; // set by str(): the string held a backslash escape
} scan_t;

// The byte at i, or -1 when i is outside [0, n) (matches nothing, like an out-of-range read in JS).
static inline int at(const scan_t *s, ptrdiff_t i) { return (size_t)i < (size_t)s->n ? s->b[i] : -1; }

static inline int is_digit(int c) { return c >= 0x30 && c <= 0x39; }
static inline int is_digit1(int c) { return c >= 0x31 && c <= 0x39; }
static inline int is_hex(int c) { return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66); }
static inline int is_alpha(int c) { return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a); }

static ptrdiff_t ws(const scan_t *s, ptrdiff_t p) {
  for (;;) {
    int c = at(s, p);
    if (c == 0x20 || c == 0x09) p++; // a line break is "not sure" (see the JS scanner)
    else return p;
  }
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

// p at an opening quote: the position after the closing quote, or -1 when not a valid JSON string.
static ptrdiff_t str(scan_t *s, ptrdiff_t p) {
  const uint8_t *b = s->b;
  const ptrdiff_t n = s->n;
  s->escaped = 0;
  p++;
  for (;;) {
    // 8 bytes at a time while none is a quote, a backslash or a control character (SWAR; unaligned loads via memcpy).
    // (An SSE2 16-byte version was slower on real events: their strings are short, ~20 bytes.)
    while (p + 8 <= n) {
      uint64_t x;
      memcpy(&x, b + p, 8);
      uint64_t q = x ^ (0x22 * ONES), e = x ^ (0x5c * ONES);
      uint64_t quotes = (q - ONES) & ~q & HIGHS;
      uint64_t m = quotes | ((((e - ONES) & ~e) | ((x - 0x20 * ONES) & ~x)) & HIGHS);
      if (m) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        // The lowest flagged byte is exact (borrows only run upwards from a flagged byte): jump to it, and when it is
        // the closing quote (the common case) return without loading it again.
        p += __builtin_ctzll(m) >> 3;
        if ((m & (0 - m)) & quotes) return p + 1;
#endif
        break;
      }
      p += 8;
    }
    if (p >= n) return -1;
    int c = b[p];
    if (c == 0x22) return p + 1;
    if (c == 0x5c) {
      s->escaped = 1;
      int e = at(s, p + 1);
      if (e == 0x75) {
        // \uXXXX
        if (!is_hex(at(s, p + 2)) || !is_hex(at(s, p + 3)) || !is_hex(at(s, p + 4)) || !is_hex(at(s, p + 5))) return -1;
        p += 6;
      } else if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) p += 2;
      else return -1;
    } else if (c < 0x20) return -1; // control characters must be escaped
    else p++;
  }
}

// p at the first character of a number: the position after it, or -1.
static ptrdiff_t num(const scan_t *s, ptrdiff_t p) {
  if (at(s, p) == 0x2d) p++;
  if (at(s, p) == 0x30) p++;
  else if (is_digit1(at(s, p))) {
    p++;
    while (is_digit(at(s, p))) p++;
  } else return -1;
  if (at(s, p) == 0x2e) {
    p++;
    if (!is_digit(at(s, p))) return -1;
    while (is_digit(at(s, p))) p++;
  }
  int c = at(s, p);
  if (c == 0x65 || c == 0x45) {
    p++;
    c = at(s, p);
    if (c == 0x2b || c == 0x2d) p++;
    if (!is_digit(at(s, p))) return -1;
    while (is_digit(at(s, p))) p++;
  }
  return p;
}

static ptrdiff_t object(scan_t *s, ptrdiff_t p, int depth);
static ptrdiff_t array(scan_t *s, ptrdiff_t p, int depth);

// Any JSON value at p (after whitespace): the position after it, or -1.
static ptrdiff_t value(scan_t *s, ptrdiff_t p, int depth) {
  int c = at(s, p);
  if (c == 0x22) return str(s, p);
  if (c == 0x7b) return object(s, p, depth + 1);
  if (c == 0x5b) return array(s, p, depth + 1);
  if (c == 0x74) return at(s, p + 1) == 0x72 && at(s, p + 2) == 0x75 && at(s, p + 3) == 0x65 ? p + 4 : -1; // true
  if (c == 0x66) return at(s, p + 1) == 0x61 && at(s, p + 2) == 0x6c && at(s, p + 3) == 0x73 && at(s, p + 4) == 0x65 ? p + 5 : -1; // false
  if (c == 0x6e) return at(s, p + 1) == 0x75 && at(s, p + 2) == 0x6c && at(s, p + 3) == 0x6c ? p + 4 : -1; // null
  return num(s, p);
}

// An object at p ('{'), keys not looked at.
static ptrdiff_t object(scan_t *s, ptrdiff_t p, int depth) {
  if (depth > MAX_DEPTH) return -1;
  p = ws(s, p + 1);
  if (at(s, p) == 0x7d) return p + 1;
  for (;;) {
    if (at(s, p) != 0x22) return -1;
    p = str(s, p);
    if (p < 0) return -1;
    p = ws(s, p);
    if (at(s, p) != 0x3a) return -1;
    p = value(s, ws(s, p + 1), depth);
    if (p < 0) return -1;
    p = ws(s, p);
    int c = at(s, p);
    if (c == 0x7d) return p + 1;
    if (c != 0x2c) return -1;
    p = ws(s, p + 1);
  }
}

static ptrdiff_t array(scan_t *s, ptrdiff_t p, int depth) {
  if (depth > MAX_DEPTH) return -1;
  p = ws(s, p + 1);
  if (at(s, p) == 0x5d) return p + 1;
  for (;;) {
    p = value(s, p, depth);
    if (p < 0) return -1;
    p = ws(s, p);
    int c = at(s, p);
    if (c == 0x5d) return p + 1;
    if (c != 0x2c) return -1;
    p = ws(s, p + 1);
  }
}

// True when the string token [ks, ke) (quotes included, inside the buffer) is exactly `key`.
static int key_is(const scan_t *s, ptrdiff_t ks, ptrdiff_t ke, const char *key, size_t len) {
  return (size_t)(ke - ks - 2) == len && memcmp(s->b + ks + 1, key, len) == 0;
}

enum { SUB_ID = 1, SUB_NAME = 2 };

// actor / repo at p: an object whose "id" is a number and whose name key is a string (each once, unescaped key).
// The position after it, or -1 (not sure).
static ptrdiff_t sub(scan_t *s, ptrdiff_t p, const char *name_key, size_t name_len) {
  if (at(s, p) != 0x7b) return -1;
  int seen = 0;
  p = ws(s, p + 1);
  if (at(s, p) == 0x7d) return -1; // no id/name
  for (;;) {
    if (at(s, p) != 0x22) return -1;
    ptrdiff_t ks = p;
    ptrdiff_t ke = str(s, p);
    if (ke < 0 || s->escaped) return -1; // an escaped key could spell a required one
    p = ws(s, ke);
    if (at(s, p) != 0x3a) return -1;
    p = ws(s, p + 1);
    int bit = 0;
    if (key_is(s, ks, ke, "id", 2)) bit = SUB_ID;
    else if (key_is(s, ks, ke, name_key, name_len)) bit = SUB_NAME;
    if (bit) {
      if (seen & bit) return -1; // duplicate: JSON.parse keeps the last one
      seen |= bit;
      int c = at(s, p);
      if (bit == SUB_ID ? c != 0x2d && !is_digit(c) : c != 0x22) return -1;
    }
    p = value(s, p, 2);
    if (p < 0) return -1;
    p = ws(s, p);
    int c = at(s, p);
    if (c == 0x7d) return seen == (SUB_ID | SUB_NAME) ? p + 1 : -1;
    if (c != 0x2c) return -1;
    p = ws(s, p + 1);
  }
}

// The string token [a, e) is a non-empty run of digits.
static int digits_string(const scan_t *s, ptrdiff_t a, ptrdiff_t e) {
  if (e - a < 3) return 0;
  for (ptrdiff_t i = a + 1; i < e - 1; i++)
    if (!is_digit(s->b[i])) return 0;
  return 1;
}

// The string token [a, e) is /^[A-Za-z]+Event$/.
static int event_type(const scan_t *s, ptrdiff_t a, ptrdiff_t e) {
  if (e - a - 2 < 6) return 0;
  if (memcmp(s->b + e - 6, "Event", 5) != 0) return 0;
  for (ptrdiff_t i = a + 1; i < e - 1; i++)
    if (!is_alpha(s->b[i])) return 0;
  return 1;
}

static int two(const uint8_t *b) { return is_digit(b[0]) && is_digit(b[1]) ? (b[0] - 0x30) * 10 + (b[1] - 0x30) : -1; }

static const int DAYS[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

// The string token [a, e) is "YYYY-MM-DDTHH:MM:SSZ" with a real date and time (the transform's normal form).
static int normal_timestamp(const scan_t *s, ptrdiff_t a, ptrdiff_t e) {
  if (e - a != 22) return 0;
  const uint8_t *q = s->b + a + 1;
  if (q[4] != 0x2d || q[7] != 0x2d || q[10] != 0x54 || q[13] != 0x3a || q[16] != 0x3a || q[19] != 0x5a) return 0;
  int hi = two(q), lo = two(q + 2), mo = two(q + 5), d = two(q + 8), h = two(q + 11), mi = two(q + 14), sec = two(q + 17);
  if (hi < 0 || lo < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return 0;
  int y = hi * 100 + lo;
  int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  return d <= (mo == 2 && !leap ? 28 : DAYS[mo - 1]);
}

enum { ID = 1, TYPE = 2, ACTOR = 4, REPO = 8, CREATED = 16, ALL = 31 };

static int is_normal_github_event(const uint8_t *b, size_t n) {
  if (n == 0 || n > (size_t)PTRDIFF_MAX / 2) return 0;
  scan_t st = {b, (ptrdiff_t)n, 0};
  scan_t *s = &st;
  if (b[0] != 0x7b) return 0;
  int seen = 0;
  ptrdiff_t p = ws(s, 1);
  if (at(s, p) == 0x7d) return 0;
  for (;;) {
    if (at(s, p) != 0x22) return 0;
    ptrdiff_t ks = p;
    ptrdiff_t ke = str(s, p);
    if (ke < 0 || s->escaped) return 0;
    p = ws(s, ke);
    if (at(s, p) != 0x3a) return 0;
    p = ws(s, p + 1);
    int bit = 0;
    if (key_is(s, ks, ke, "id", 2)) bit = ID;
    else if (key_is(s, ks, ke, "type", 4)) bit = TYPE;
    else if (key_is(s, ks, ke, "actor", 5)) bit = ACTOR;
    else if (key_is(s, ks, ke, "repo", 4)) bit = REPO;
    else if (key_is(s, ks, ke, "created_at", 10)) bit = CREATED;
    if (bit) {
      if (seen & bit) return 0; // duplicate key: JSON.parse keeps the last one
      seen |= bit;
      ptrdiff_t vs = p;
      if (bit == ACTOR) p = sub(s, p, "login", 5);
      else if (bit == REPO) p = sub(s, p, "name", 4);
      else {
        if (at(s, p) != 0x22) return 0;
        p = str(s, p);
        if (p < 0 || s->escaped) return 0;
        if (bit == ID ? !digits_string(s, vs, p) : bit == TYPE ? !event_type(s, vs, p) : !normal_timestamp(s, vs, p)) return 0;
      }
    } else p = value(s, p, 1);
    if (p < 0) return 0;
    p = ws(s, p);
    int c = at(s, p);
    if (c == 0x7d) return seen == ALL && p + 1 == s->n;
    if (c != 0x2c) return 0;
    p = ws(s, p + 1);
  }
}

// ---- UTF-8 validation (the collector's isUtf8 step, off the main thread) ----
// Well-formed UTF-8 exactly as Unicode Table 3-7 (RFC 3629): no overlongs (C0, C1, E0 80..9F, F0 80..8F), no
// surrogates (ED A0..BF), nothing above U+10FFFF (F4 90.., F5..FF), no truncated sequence. Node's isUtf8 (simdutf)
// answers the same (the tests compare them exhaustively on short sequences and on random tricky strings). Events are
// almost all ASCII: 16 then 8 bytes at a time while no byte has its high bit set (unaligned loads via memcpy).
static int utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  for (;;) {
    while (n - i >= 16) {
      uint64_t a, b;
      memcpy(&a, s + i, 8);
      memcpy(&b, s + i + 8, 8);
      if ((a | b) & HIGHS) break;
      i += 16;
    }
    while (n - i >= 8) {
      uint64_t a;
      memcpy(&a, s + i, 8);
      if (a & HIGHS) break;
      i += 8;
    }
    // Byte by byte up to the first non-ASCII byte (at most 15 ASCII ones), then one multi-byte sequence.
    while (i < n && s[i] < 0x80) i++;
    if (i >= n) return 1;
    unsigned c = s[i];
    size_t left = n - i - 1; // bytes after the lead byte
    if (c < 0xc2) return 0; // a continuation byte, or C0/C1 (overlong 2-byte)
    if (c < 0xe0) {
      if (left < 1 || (s[i + 1] & 0xc0) != 0x80) return 0;
      i += 2;
    } else if (c < 0xf0) {
      if (left < 2) return 0;
      unsigned c1 = s[i + 1];
      unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf; // overlong / surrogates
      if (c1 < lo || c1 > hi || (s[i + 2] & 0xc0) != 0x80) return 0;
      i += 3;
    } else if (c < 0xf5) {
      if (left < 3) return 0;
      unsigned c1 = s[i + 1];
      unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf; // overlong / above U+10FFFF
      if (c1 < lo || c1 > hi || (s[i + 2] & 0xc0) != 0x80 || (s[i + 3] & 0xc0) != 0x80) return 0;
      i += 4;
    } else return 0; // F5..FF
  }
}

// ---- A whole "lines" entry (src/collector/wal.ts) in one call ----
// [8 header][f64 arrivalMs][u32 n][n x u32 LE lengths at 20 + 4i][record_0 '\n' ... record_{n-1} '\n']: true when
// every record passes the GitHub transform unchanged (firehose-transform.ts passesGithubTransformUnchanged: first and
// last byte visible ASCII, valid UTF-8, already normal). The layout comes from our own code, but is checked anyway
// (table and every record with its '\n' inside the buffer): a bad layout is false, never a read out of bounds.
#define LINES_TABLE 20

static inline int visible(unsigned c) { return c >= 0x21 && c <= 0x7e; }

static int all_pass_lines(const uint8_t *b, size_t len, uint64_t n) {
  if (n == 0) return 1;
  if (b == NULL || len < LINES_TABLE || n > (len - LINES_TABLE) / 4) return 0;
  size_t p = LINES_TABLE + 4 * (size_t)n; // <= len, and stays so below
  for (size_t i = 0; i < (size_t)n; i++) {
    const uint8_t *t = b + LINES_TABLE + 4 * i;
    size_t r = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
    if (r >= len - p || b[p + r] != 0x0a) return 0; // the record and its '\n' must fit
    const uint8_t *rec = b + p;
    if (r == 0 || !visible(rec[0]) || !visible(rec[r - 1]) || !utf8_valid(rec, r) || !is_normal_github_event(rec, r)) return 0;
    p += r + 1;
  }
  return 1;
}

#ifndef EVENT_SCAN_NO_NAPI
// The one Uint8Array argument of isNormalGithubEvent / isUtf8 (data already points at the view's first byte; a
// detached buffer has none, len 0); throws the usage as a TypeError and returns 0 otherwise.
static int bytes_arg(napi_env env, napi_callback_info info, const char *usage, const uint8_t **data, size_t *len) {
  size_t argc = 1;
  napi_value argv[1];
  napi_typedarray_type type;
  void *d = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_typedarray_info(env, argv[0], &type, len, &d, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "EEVENTSCAN", usage);
    return 0;
  }
  *data = d;
  return 1;
}

static napi_value boolean(napi_env env, int v) {
  napi_value ret;
  if (napi_get_boolean(env, v, &ret) != napi_ok) {
    napi_throw_error(env, "EEVENTSCAN", "event_scan: napi_get_boolean failed");
    return NULL;
  }
  return ret;
}

// isNormalGithubEvent(bytes: Uint8Array) -> boolean
static napi_value is_normal(napi_env env, napi_callback_info info) {
  const uint8_t *data;
  size_t len = 0;
  if (!bytes_arg(env, info, "isNormalGithubEvent(bytes: Uint8Array)", &data, &len)) return NULL;
  return boolean(env, data != NULL && is_normal_github_event(data, len));
}

// isUtf8(bytes: Uint8Array) -> boolean (the C validator, exposed for the tests that compare it with node:buffer's).
static napi_value is_utf8(napi_env env, napi_callback_info info) {
  const uint8_t *data;
  size_t len = 0;
  if (!bytes_arg(env, info, "isUtf8(bytes: Uint8Array)", &data, &len)) return NULL;
  return boolean(env, len == 0 || (data != NULL && utf8_valid(data, len)));
}

// The (buf, n) arguments of allPassLines / allPassLinesSync: a Uint8Array and a record count (an integer >= 0).
static int lines_args(napi_env env, napi_value *argv, size_t argc, size_t need, const char *usage, const uint8_t **data,
                      size_t *len, uint64_t *n) {
  napi_typedarray_type type;
  void *d = NULL;
  double count;
  if (argc < need || napi_get_typedarray_info(env, argv[0], &type, len, &d, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      napi_get_value_double(env, argv[1], &count) != napi_ok || !(count >= 0 && count <= 9007199254740991.0) ||
      count != (double)(uint64_t)count) {
    napi_throw_type_error(env, "EEVENTSCAN", usage);
    return 0;
  }
  *data = d; // NULL when detached (then len is 0: n = 0 passes, anything else is a bad layout)
  *n = (uint64_t)count;
  return 1;
}

// allPassLinesSync(buf: Uint8Array, n: number) -> boolean
static napi_value all_pass_lines_sync(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], ret;
  const uint8_t *data;
  size_t len;
  uint64_t n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      !lines_args(env, argv, argc, 2, "allPassLinesSync(buf: Uint8Array, n: integer >= 0)", &data, &len, &n))
    return NULL;
  if (napi_get_boolean(env, all_pass_lines(data, len, n), &ret) != napi_ok) return NULL;
  return ret;
}

typedef struct {
  napi_async_work work;
  napi_ref buf; // keeps the typed array (and so its bytes) alive while a pool thread reads them
  napi_ref cb;
  const uint8_t *data;
  size_t len;
  uint64_t n;
  int result;
} lines_job;

static void lines_execute(napi_env env, void *arg) {
  (void)env; // a libuv pool thread: no N-API calls here
  lines_job *job = arg;
  job->result = all_pass_lines(job->data, job->len, job->n);
}

static void lines_complete(napi_env env, napi_status status, void *arg) {
  lines_job *job = arg;
  napi_value cb, global, argv[2];
  int have_cb = napi_get_reference_value(env, job->cb, &cb) == napi_ok && cb != NULL;
  napi_delete_reference(env, job->buf);
  napi_delete_reference(env, job->cb);
  napi_delete_async_work(env, job->work);
  int result = job->result;
  free(job);
  if (!have_cb || napi_get_global(env, &global) != napi_ok) return;
  if (status == napi_ok) {
    napi_get_null(env, &argv[0]);
    napi_get_boolean(env, result, &argv[1]);
  } else {
    napi_value msg;
    napi_create_string_utf8(env, status == napi_cancelled ? "allPassLines: cancelled" : "allPassLines: async work failed",
                            NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &argv[0]);
    napi_get_undefined(env, &argv[1]);
  }
  // An exception thrown by the callback stays pending: Node reports it as uncaught, as for any callback.
  napi_call_function(env, global, cb, 2, argv, NULL);
}

// allPassLines(buf: Uint8Array, n: number, callback: (err, allPass) => void) -> undefined; the scan runs on the libuv
// thread pool (the caller must not write to buf until the callback runs).
static napi_value all_pass_lines_async(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], name;
  napi_valuetype cbtype;
  const uint8_t *data;
  size_t len;
  uint64_t n;
  static const char *usage = "allPassLines(buf: Uint8Array, n: integer >= 0, callback: (err, allPass) => void)";
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || !lines_args(env, argv, argc, 3, usage, &data, &len, &n))
    return NULL;
  if (napi_typeof(env, argv[2], &cbtype) != napi_ok || cbtype != napi_function) {
    napi_throw_type_error(env, "EEVENTSCAN", usage);
    return NULL;
  }
  lines_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, "EEVENTSCAN", "allPassLines: out of memory");
    return NULL;
  }
  job->data = data;
  job->len = len;
  job->n = n;
  if (napi_create_reference(env, argv[0], 1, &job->buf) != napi_ok) goto fail;
  if (napi_create_reference(env, argv[2], 1, &job->cb) != napi_ok) goto fail;
  if (napi_create_string_utf8(env, "eventlake:allPassLines", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, lines_execute, lines_complete, job, &job->work) != napi_ok)
    goto fail;
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    napi_delete_async_work(env, job->work);
    goto fail;
  }
  return NULL;
fail:
  if (job->buf) napi_delete_reference(env, job->buf);
  if (job->cb) napi_delete_reference(env, job->cb);
  free(job);
  napi_throw_error(env, "EEVENTSCAN", "allPassLines: could not queue the async work");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"isNormalGithubEvent", NULL, is_normal, NULL, NULL, NULL, napi_default, NULL},
      {"isUtf8", NULL, is_utf8, NULL, NULL, NULL, napi_default, NULL},
      {"allPassLinesSync", NULL, all_pass_lines_sync, NULL, NULL, NULL, napi_default, NULL},
      {"allPassLines", NULL, all_pass_lines_async, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
#endif
