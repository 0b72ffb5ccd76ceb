#!/bin/sh
# Memory-safety and equivalence check of the C scanner, UTF-8 validator and all_pass_lines (not part of npm test:
# needs gcc with ASan/UBSan, ~1 min): random mutations and every prefix of the real GitHub events, each in an
# exact-size buffer, answers compared with the JS scanner and node:buffer's isUtf8. Usage: sh native/event-scan/asan/check.sh [mutations, default 100000]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && node --import tsx "$here/corpus.mjs" "$tmp/corpus.bin" "${1:-100000}")
gcc -O1 -g -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=all "$here/check.c" -o "$tmp/check"
"$tmp/check" "$tmp/corpus.bin"
