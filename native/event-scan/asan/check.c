// Runs the C scanner alone (no N-API) over a corpus written by corpus.mjs, each record in a malloc of exactly its
// size, so AddressSanitizer reports any read past its end; every answer must equal the JS scanner's.
#define EVENT_SCAN_NO_NAPI
#include "../event_scan.c"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 2;
  long n = 0, bad = 0, yes = 0;
  uint8_t head[5];
  while (fread(head, 1, 5, f) == 5) {
    uint32_t len;
    memcpy(&len, head, 4);
    uint8_t *b = malloc(len ? len : 1);
    if (!b || fread(b, 1, len, f) != len) return 2;
    int got = is_normal_github_event(b, len);
    if (got != head[4] && bad++ < 5) fprintf(stderr, "record %ld (%u bytes): C %d, JS %d\n", n, len, got, head[4]);
    yes += got;
    n++;
    free(b);
  }
  fclose(f);
  printf("%ld records, %ld normal, %ld disagreements\n", n, yes, bad);
  return bad != 0;
}
