#!/usr/bin/env bash
# tests/tokenizer/unicode_fresh.sh - src/tokenizer/unicode_data.c must be exactly what
# tools/gen_unicode_tables.sh produces from the Unicode data it was generated from (UCD 15.0.0, Debian's
# unicode-data package). Skips (77) when that UCD is not installed or has another version.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
UCD=${1:-/usr/share/unicode}
if [ ! -r "$UCD/UnicodeData.txt" ] || [ ! -r "$UCD/PropList.txt" ]; then
  echo "SKIP: $UCD/UnicodeData.txt not installed (apt-get install unicode-data)"; exit 77
fi
want=$(sed -n 's/.*Database \([0-9.]*\) (UnicodeData.*/\1/p' "$ROOT/src/tokenizer/unicode_data.c")
have=$(grep -m1 -o 'Version [0-9.]*' "$UCD/ReadMe.txt" 2>/dev/null | cut -d' ' -f2)
if [ "$want" != "$have" ]; then echo "SKIP: installed UCD is $have, the table was generated from $want"; exit 77; fi
if "$ROOT/tools/gen_unicode_tables.sh" "$UCD" | cmp -s - "$ROOT/src/tokenizer/unicode_data.c"; then
  echo "PASS: unicode_data.c is up to date"; exit 0
fi
echo "FAIL: src/tokenizer/unicode_data.c differs from tools/gen_unicode_tables.sh output"; exit 1
