// Base64 decoding of many spans of one buffer in one call: the collector's PutRecordBatch ack path decodes each
// record's Data straight from the request body into its WAL entry (src/collector/batch-entry.ts). Node decodes base64
// only from strings, which costs two copies of every body (a latin1 string, then a flat copy of each substring) and
// young-generation garbage per request; this reads the bytes where they are.
// Verdicts match `buf.write(str, 'base64') === expected length` (the JS path), which the tests check on random data:
// the standard alphabet plus Node's URL-safe '-' and '_', '=' only as 1-2 trailing pad characters, anything else
// invalid. Bits left over in the last character are ignored, as Node does.
// On x86-64 with AVX2 the bulk runs 32 characters at a time (Muła and Lemire's lookup method, as in aklomp/base64);
// the last < 48 characters, blocks with any other character, and CPUs without AVX2 take the scalar decoder.
#ifndef BASE64_NO_NAPI
#include <node_api.h>
#include <pthread.h>
#endif
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BAD 0xff
static uint8_t TABLE[256];

static void init_table(void) {
  memset(TABLE, BAD, sizeof TABLE);
  for (int i = 0; i < 26; i++) TABLE['A' + i] = (uint8_t)i, TABLE['a' + i] = (uint8_t)(26 + i);
  for (int i = 0; i < 10; i++) TABLE['0' + i] = (uint8_t)(52 + i);
  TABLE['+'] = 62, TABLE['/'] = 63, TABLE['-'] = 62, TABLE['_'] = 63;
}

// Decodes n characters (n % 4 == 0, may end in 1-2 '=') into o; returns the bytes written or -1 when invalid.
static ptrdiff_t decode_scalar(const uint8_t *s, size_t n, uint8_t *o) {
  uint8_t *start = o;
  if (n == 0) return 0;
  size_t last = n - 4;
  for (size_t i = 0; i < last; i += 4) {
    uint32_t a = TABLE[s[i]], b = TABLE[s[i + 1]], c = TABLE[s[i + 2]], d = TABLE[s[i + 3]];
    if ((a | b | c | d) & 0x80) return -1;
    uint32_t v = a << 18 | b << 12 | c << 6 | d;
    o[0] = (uint8_t)(v >> 16), o[1] = (uint8_t)(v >> 8), o[2] = (uint8_t)v;
    o += 3;
  }
  s += last;
  uint32_t a = TABLE[s[0]], b = TABLE[s[1]];
  if ((a | b) & 0x80) return -1;
  if (s[3] == '=') {
    if (s[2] == '=') {
      *o++ = (uint8_t)(a << 2 | b >> 4);
      return o - start;
    }
    uint32_t c = TABLE[s[2]];
    if (c & 0x80) return -1;
    o[0] = (uint8_t)(a << 2 | b >> 4), o[1] = (uint8_t)(b << 4 | c >> 2);
    return o + 2 - start;
  }
  uint32_t c = TABLE[s[2]], d = TABLE[s[3]];
  if ((c | d) & 0x80) return -1;
  uint32_t v = a << 18 | b << 12 | c << 6 | d;
  o[0] = (uint8_t)(v >> 16), o[1] = (uint8_t)(v >> 8), o[2] = (uint8_t)v;
  return o + 3 - start;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1

// Decodes whole 32-character blocks while at least 48 characters are left (so each 32-byte store, 24 bytes of output
// and 8 of slack, stays inside this span's output), stopping at a block with any character outside [A-Za-z0-9+/].
// Returns the characters consumed (a multiple of 32); *o advances by 3/4 of that.
__attribute__((target("avx2"))) static size_t decode_avx2(const uint8_t *s, size_t n, uint8_t **out) {
  const __m256i lut_lo = _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a,
                                          0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a);
  const __m256i lut_hi = _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
                                          0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
  const __m256i lut_roll = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,
                                            0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i mask_2f = _mm256_set1_epi8(0x2f);
  const __m256i merge_ab = _mm256_set1_epi32(0x01400140);
  const __m256i merge_abc = _mm256_set1_epi32(0x00011000);
  const __m256i pack = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
                                        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1);
  uint8_t *o = *out;
  size_t i = 0;
  for (; n - i >= 48; i += 32) {
    __m256i str = _mm256_loadu_si256((const __m256i *)(s + i));
    // Classify by nibbles: a byte is valid iff its low- and high-nibble class bits share nothing.
    const __m256i hi_nibbles = _mm256_and_si256(_mm256_srli_epi32(str, 4), mask_2f);
    const __m256i lo_nibbles = _mm256_and_si256(str, mask_2f);
    const __m256i hi = _mm256_shuffle_epi8(lut_hi, hi_nibbles);
    const __m256i lo = _mm256_shuffle_epi8(lut_lo, lo_nibbles);
    if (!_mm256_testz_si256(lo, hi)) break;
    // Add each character's offset to its 6-bit value ('/' differs from the rest of its nibble row).
    const __m256i eq_2f = _mm256_cmpeq_epi8(str, mask_2f);
    str = _mm256_add_epi8(str, _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(eq_2f, hi_nibbles)));
    // Pack 4 x 6 bits into 3 bytes per dword, then 12 bytes per lane into 24 contiguous bytes.
    __m256i v = _mm256_madd_epi16(_mm256_maddubs_epi16(str, merge_ab), merge_abc);
    v = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(v, pack), lanes);
    _mm256_storeu_si256((__m256i *)o, v);
    o += 24;
  }
  *out = o;
  return i;
}

static int use_avx2;
#endif

// Decodes one span: the bytes written, or -1 when it is not valid base64.
static ptrdiff_t decode(const uint8_t *s, size_t n, uint8_t *o) {
  if (n % 4) return -1;
  uint8_t *start = o;
#ifdef HAVE_AVX2_PATH
  if (use_avx2) {
    size_t done = decode_avx2(s, n, &o);
    s += done, n -= done;
  }
#endif
  ptrdiff_t r = decode_scalar(s, n, o);
  return r < 0 ? -1 : (o - start) + r;
}

#ifndef BASE64_NO_NAPI
static napi_value fail(napi_env env, const char *msg) {
  napi_throw_range_error(env, "EBASE64", msg);
  return NULL;
}

static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  return napi_get_typedarray_info(env, v, &type, len, data, &ab, &off) == napi_ok && type == want && *data != NULL;
}

// decodeSpans(src: Uint8Array, spans: Int32Array, count, lens: Int32Array, dst: Uint8Array, dstOffset, sep) -> end
// Span i is src[spans[2i], spans[2i+1]). Spans with lens[i] >= 0 are decoded one after another into dst from
// dstOffset, each followed by the byte sep when sep is 0..255 (-1: nothing); one whose Data is not valid base64 or not
// lens[i] bytes long gets lens[i] = -2 and takes no room.
static napi_value decode_spans(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7], ret;
  void *src, *spans_p, *lens_p, *dst;
  size_t src_len, spans_len, lens_len, dst_len;
  uint32_t count;
  int64_t off64;
  int32_t sep = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6 || !typed(env, argv[0], napi_uint8_array, &src, &src_len) ||
      !typed(env, argv[1], napi_int32_array, &spans_p, &spans_len) || napi_get_value_uint32(env, argv[2], &count) != napi_ok ||
      !typed(env, argv[3], napi_int32_array, &lens_p, &lens_len) || !typed(env, argv[4], napi_uint8_array, &dst, &dst_len) ||
      napi_get_value_int64(env, argv[5], &off64) != napi_ok || (argc >= 7 && napi_get_value_int32(env, argv[6], &sep) != napi_ok) || sep < -1 || sep > 255) {
    napi_throw_type_error(env, "EBASE64", "decodeSpans(src: Uint8Array, spans: Int32Array, count: number, lens: Int32Array, dst: Uint8Array, dstOffset: number, sep?: -1..255)");
    return NULL;
  }
  const int32_t *spans = spans_p;
  int32_t *lens = lens_p;
  const size_t extra = sep >= 0 ? 1 : 0;
  if ((size_t)count * 2 > spans_len || count > lens_len) return fail(env, "decodeSpans: count is larger than spans/lens");
  if (off64 < 0 || (uint64_t)off64 > dst_len) return fail(env, "decodeSpans: dstOffset is outside dst");
  size_t off = (size_t)off64;
  for (uint32_t i = 0; i < count; i++) {
    int32_t want = lens[i];
    if (want < 0) continue;
    int32_t a = spans[2 * i], b = spans[2 * i + 1];
    if (a < 0 || b < a || (size_t)b > src_len) return fail(env, "decodeSpans: a span is outside src");
    if ((size_t)want + extra > dst_len - off) return fail(env, "decodeSpans: dst is too small");
    // Valid base64 of n characters decodes to at most 3n/4 bytes: a span that would exceed its lens[i] (so the
    // space left in dst) is refused before decoding.
    size_t n = (size_t)(b - a);
    if (n / 4 * 3 > (size_t)want + 2) {
      lens[i] = -2;
      continue;
    }
    ptrdiff_t got = decode((const uint8_t *)src + a, n, (uint8_t *)dst + off);
    if (got != want) lens[i] = -2;
    else {
      off += (size_t)got;
      if (extra) ((uint8_t *)dst)[off++] = (uint8_t)sep;
    }
  }
  if (napi_create_int64(env, (int64_t)off, &ret) != napi_ok) return fail(env, "decodeSpans: napi_create_int64 failed");
  return ret;
}

// Once per process (worker threads load the addon again).
static void init_once(void) {
  init_table();
#ifdef HAVE_AVX2_PATH
  __builtin_cpu_init();
  use_avx2 = __builtin_cpu_supports("avx2");
#endif
}

static napi_value init(napi_env env, napi_value exports) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, init_once);
  int simd = 0;
#ifdef HAVE_AVX2_PATH
  simd = use_avx2;
#endif
  napi_value simd_v;
  if (napi_get_boolean(env, simd, &simd_v) != napi_ok) return NULL;
  napi_property_descriptor props[] = {
      {"decodeSpans", NULL, decode_spans, NULL, NULL, NULL, napi_default, NULL},
      {"simd", NULL, NULL, NULL, NULL, simd_v, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 2, props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
#endif
