#!/usr/bin/env bash
# bench/extract_llama_headers.sh BUNDLE OUTDIR - extracts llama.cpp's public headers (include/llama.h,
# ggml/include/*.h) from node-llama-cpp's gitRelease.bundle into OUTDIR, for the llamacpp_bench driver.
# The headers are build outputs: never commit them.
set -euo pipefail
bundle=$1 out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$tmp" init -q
git -C "$tmp" fetch -q "$bundle" 2>/dev/null || git -C "$tmp" fetch -q "$bundle" HEAD
mkdir -p "$out"
for f in $(git -C "$tmp" ls-tree --name-only FETCH_HEAD ggml/include/); do
  case $f in *.h) git -C "$tmp" show "FETCH_HEAD:$f" > "$out/$(basename "$f")" ;; esac
done
# llama.h last: it is the build stamp
git -C "$tmp" show FETCH_HEAD:include/llama.h > "$out/llama.h.tmp"
mv "$out/llama.h.tmp" "$out/llama.h"
