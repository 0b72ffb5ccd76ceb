// Runs the C scanner alone (no N-API) over a corpus written by corpus.mjs, each record in a malloc of exactly its
// size, so AddressSanitizer reports any read past its end; every answer must equal the JS scanner's, the UTF-8
// validator's node:buffer's isUtf8. Each record also goes through all_pass_lines as a one-record lines entry of exactly
// its size (answer: passes the transform unchanged), and with its '\n' cut off or its length one too long (false).
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
    int utf8 = utf8_valid(b, len);
    if ((got != (head[4] & 1) || utf8 != (head[4] >> 1 & 1)) && bad++ < 5)
      fprintf(stderr, "record %ld (%u bytes): C normal %d utf8 %d, JS %d %d\n", n, len, got, utf8, head[4] & 1, head[4] >> 1 & 1);
    // The record as a lines entry: [20 bytes][u32 len][record]['\n'], in a malloc of exactly that size.
    size_t size = LINES_TABLE + 4 + (size_t)len + 1;
    uint8_t *e = malloc(size);
    if (!e) return 2;
    memset(e, 0, LINES_TABLE);
    memcpy(e + LINES_TABLE, &len, 4); // little-endian hosts only (as the entries are)
    memcpy(e + LINES_TABLE + 4, b, len);
    e[size - 1] = 0x0a;
    int pass = all_pass_lines(e, size, 1), cut = all_pass_lines(e, size - 1, 1);
    uint32_t longer = len + 1;
    memcpy(e + LINES_TABLE, &longer, 4);
    int over = all_pass_lines(e, size, 1) || all_pass_lines(e, size, 2);
    if ((pass != (head[4] >> 2 & 1) || cut || over) && bad++ < 5)
      fprintf(stderr, "record %ld (%u bytes): all_pass_lines %d (JS %d), cut %d, over %d\n", n, len, pass, head[4] >> 2 & 1, cut, over);
    free(e);
    yes += got;
    n++;
    free(b);
  }
  fclose(f);
  printf("%ld records, %ld normal, %ld disagreements\n", n, yes, bad);
  return bad != 0;
}
