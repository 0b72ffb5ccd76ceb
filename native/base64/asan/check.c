// Memory-safety check of the decoder under ASan/UBSan (see check.sh): random valid and mutated base64 of every length
// up to 4 KB, each span in an exact-size heap buffer and decoded into an output buffer of exactly the expected
// length, so any read or write past either is reported. Results are checked against the scalar decoder alone.
#define BASE64_NO_NAPI
#include "../base64.c"
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 88172645463325252ULL;
static uint32_t next(void) {
  state ^= state << 13, state ^= state >> 7, state ^= state << 17;
  return (uint32_t)state;
}

static const char ALPHA[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int main(int argc, char **argv) {
  long cases = argc > 1 ? atol(argv[1]) : 200000;
  init_table();
#ifdef HAVE_AVX2_PATH
  __builtin_cpu_init();
  use_avx2 = __builtin_cpu_supports("avx2");
  printf("avx2 path: %s\n", use_avx2 ? "on" : "off (scalar only)");
#endif
  long valid = 0;
  for (long t = 0; t < cases; t++) {
    size_t n = (next() % 1400) * 4;
    uint8_t *s = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) s[i] = (uint8_t)ALPHA[next() % 64];
    if (n && next() % 3 == 0) s[n - 1] = '=';
    if (n && s[n - 1] == '=' && next() % 2) s[n - 2] = '=';
    if (n && next() % 2) s[next() % n] = (uint8_t)(next() % 256); // any byte anywhere
    size_t pad = n && s[n - 1] == '=' ? (s[n - 2] == '=' ? 2 : 1) : 0;
    size_t want = n / 4 * 3 - pad;
    uint8_t *o = malloc(want ? want : 1), *ref = malloc(want ? want : 1);
    ptrdiff_t got = decode(s, n, o);
    ptrdiff_t exp = decode_scalar(s, n, ref);
    if (got != exp || (got > 0 && memcmp(o, ref, (size_t)got) != 0)) {
      fprintf(stderr, "case %ld (n=%zu): simd+scalar gave %td, scalar alone %td\n", t, n, got, exp);
      return 1;
    }
    valid += got == (ptrdiff_t)want;
    free(s), free(o), free(ref);
  }
  printf("%ld cases, %ld valid, no memory errors\n", cases, valid);
  return 0;
}
