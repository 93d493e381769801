#!/usr/bin/env bash
# scripts/speed-matrix.sh - the speed campaign of the issue "Speed": every target configuration measured
# side by side with llama.cpp (`lfmrt bench --compare-llamacpp --json`: alternating repetitions on the
# same file, the read-bandwidth probe in the same run), then a markdown summary with each target and
# its verdict (scripts/speed-summary.mjs).
#
# usage: scripts/speed-matrix.sh [--quick] [OUTDIR]
#   OUTDIR   results (default out/speed): results.jsonl (one JSON object per configuration and sequence
#            count), bench.log (progress), SPEED.md (the summary)
#   --quick  1 repetition, 128-token prompts, 32 decoded tokens, LFM2-350M only (a smoke run; its
#            numbers are not the targets' conditions)
# Environment: LFMRT_BUILD_DIR (build): where lfmrt and llamacpp_bench are; LFMRT_MODELS_DIR (out/models):
# generated models, cached; LFMRT_SPEED_REPS (3).
# Models are random weights at real dimensions (gen-model): speed depends on shapes and types, not values.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
QUICK=0
if [ "${1:-}" = "--quick" ]; then QUICK=1; shift; fi
OUT=${1:-out/speed}
BUILD=${LFMRT_BUILD_DIR:-build}
MODELS=${LFMRT_MODELS_DIR:-out/models}
REPS=${LFMRT_SPEED_REPS:-3}
LFMRT="$BUILD/lfmrt"
P=512 N=128
if [ "$QUICK" = 1 ]; then REPS=1 P=128 N=32; fi

[ -x "$LFMRT" ] || { echo "speed-matrix: $LFMRT not built (run scripts/main.sh or cmake first)" >&2; exit 2; }
[ -x "$BUILD/llamacpp_bench" ] || {
  echo "speed-matrix: $BUILD/llamacpp_bench missing: it is built when the llama.cpp peer is installed" >&2
  echo "              (bash scripts/peer-install.sh $BUILD/peer, then re-run cmake)" >&2
  exit 77
}
command -v node >/dev/null || { echo "speed-matrix: node is needed for the summary (scripts/setup.sh installs it)" >&2; exit 2; }
mkdir -p "$OUT" "$MODELS"
: >"$OUT/results.jsonl"
: >"$OUT/bench.log"

model() { # arch preset type -> path (generated once)
  local f="$MODELS/$2-$3.gguf"
  if [ ! -s "$f" ]; then
    echo "speed-matrix: generating $f" >&2
    "$LFMRT" gen-model --arch "$1" --preset "$2" --type "$3" -o "$f.tmp" >&2
    mv -f "$f.tmp" "$f"
  fi
  printf '%s' "$f"
}

run() { # model threads sequences
  echo "speed-matrix: $(basename "$1"), $2 thread(s), sequences $3" >&2
  local t0
  t0=$(date +%s)
  "$LFMRT" bench -m "$1" -t "$2" -p "$P" -n "$N" -r "$REPS" --sequences "$3" --compare-llamacpp --json \
    >>"$OUT/results.jsonl" 2>>"$OUT/bench.log" || { echo "speed-matrix: bench failed (see $OUT/bench.log)" >&2; exit 1; }
  echo "speed-matrix:   $(($(date +%s) - t0)) s" >&2
}

T0=$(date +%s)
if [ "$QUICK" = 1 ]; then
  run "$(model lfm2 lfm2-350m q4_0)" 2 1,4
else
  for ty in q4_0 q8_0; do
    m=$(model lfm2 lfm2-350m "$ty")
    run "$m" 2 1,4
    run "$m" 1 1
  done
  run "$(model lfm2 lfm2-350m f16)" 2 1
  run "$(model lfm2 lfm2-350m q4_k_m)" 2 1 # no target: the mix users download most (Q4_K + Q6_K)
  run "$(model lfm2 lfm2-1.2b q4_0)" 2 1
  for ty in q4_0 q8_0; do
    run "$(model qwen3 qwen3-0.6b "$ty")" 2 1
    run "$(model gemma3 gemma3-270m "$ty")" 2 1
  done
fi
# the host, for the summary: CPU model and last-level cache (weights that fit in it are partly read
# from cache, and their roofline fraction against the DRAM probe overstates)
LFMRT_CPU_NAME=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1) \
LFMRT_LLC_BYTES=$(getconf LEVEL3_CACHE_SIZE 2>/dev/null || echo 0) \
  node scripts/speed-summary.mjs "$OUT/results.jsonl" >"$OUT/SPEED.md"
cat "$OUT/SPEED.md"
echo "speed-matrix: done in $(($(date +%s) - T0)) s; results in $OUT" >&2
