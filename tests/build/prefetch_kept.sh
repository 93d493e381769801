#!/usr/bin/env bash
# tests/build/prefetch_kept.sh OBJDUMP LIBRARY SRC_DIR - every kernel unit whose source asks for a
# software prefetch (directly, or through a header of its own directory) has prefetch instructions in
# the built library. GCC 12 at -O1 and up treats a helper whose only statements are prefetches as a
# const function and deletes the calls it does not inline: that silently removed the prefetches of the
# K-quant gemvs (LFM2-350M Q4_K_M decode 64 -> 106 tok/s once restored) and of the multi-query attention
# rows. Exit 77 (skipped) without objdump.
set -uo pipefail
OBJDUMP=$1 LIB=$2 SRC=$3
command -v "$OBJDUMP" >/dev/null 2>&1 || { echo "SKIP: no objdump ($OBJDUMP)"; exit 77; }
[ -f "$LIB" ] || { echo "FAIL: no library $LIB"; exit 1; }
PAT='_mm_prefetch|__builtin_prefetch'
# instruction mnemonics per member object: "member count"
counts=$("$OBJDUMP" -d "$LIB" | awk '
  /^[^ \t].*:[ \t]+file format/ { m = $1; sub(/:$/, "", m); if (!(m in n)) n[m] = 0; next }
  /\t(prefetch[a-z0-9]*|prfm)[ \t]/ { n[m]++ }
  END { for (k in n) print k, n[k] }')
[ -n "$counts" ] || { echo "FAIL: $OBJDUMP printed no objects for $LIB"; exit 1; }
fail=0 checked=0
for f in "$SRC"/kernels/*/*.c; do
  unit=$(basename "$f")
  d=$(dirname "$f")
  asks=0
  grep -qE "$PAT" "$f" && asks=1
  for h in $(grep -oE '#include "kernels/[^"]+\.h"' "$f" | sed -E 's/#include "kernels\/(.*)"/\1/'); do
    [ -f "$SRC/kernels/$h" ] && [ "$(dirname "$SRC/kernels/$h")" = "$d" ] && grep -qE "$PAT" "$SRC/kernels/$h" && asks=1
  done
  [ $asks = 1 ] || continue
  n=$(echo "$counts" | awk -v u="$unit.o" '$1 == u { print $2 }')
  [ -n "$n" ] || continue # a unit of another architecture, not in this library
  checked=$((checked + 1))
  if [ "$n" -gt 0 ]; then echo "ok: $unit: $n prefetch instructions"
  else echo "FAIL: $unit asks for prefetches, its object has none"; fail=1; fi
done
[ $checked -gt 0 ] || { echo "FAIL: no kernel unit with prefetches found in $LIB"; exit 1; }
echo "$checked units checked"
exit $fail
