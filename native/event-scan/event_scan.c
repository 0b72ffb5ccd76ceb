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

#ifndef EVENT_SCAN_NO_NAPI
// isNormalGithubEvent(bytes: Uint8Array) -> boolean
static napi_value is_normal(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ret;
  napi_typedarray_type type;
  size_t len = 0;
  void *data = NULL;
  napi_value ab;
  size_t off;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_typedarray_info(env, argv[0], &type, &len, &data, &ab, &off) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "EEVENTSCAN", "isNormalGithubEvent(bytes: Uint8Array)");
    return NULL;
  }
  // data already points at the view's first byte (byte_offset applied); a detached buffer has no data.
  int r = data != NULL && is_normal_github_event(data, len);
  if (napi_get_boolean(env, r, &ret) != napi_ok) {
    napi_throw_error(env, "EEVENTSCAN", "event_scan: napi_get_boolean failed");
    return NULL;
  }
  return ret;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"isNormalGithubEvent", NULL, is_normal, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, 1, props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
#endif
