#!/bin/sh
# Memory-safety check of the base64 decoder (not part of npm test: needs gcc with ASan/UBSan, ~30 s): every span in an
# exact-size buffer, decoded into an exact-size output, AVX2 results compared with the scalar decoder.
# Usage: sh native/base64/asan/check.sh [cases, default 200000]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O1 -g -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=all "$here/check.c" -o "$tmp/check"
"$tmp/check" "${1:-200000}"
