#!/usr/bin/env bash
# scripts/main.sh - the main job: set up, build, generate LFM2-350M (Q8_0, random weights), generate
# text from it, and measure speed (`lfmrt bench`, and `lfmrt bench --compare-llamacpp` side by side with
# llama.cpp's own library when the npm peer can be installed).
# Then the speed campaign (scripts/speed-matrix.sh: every target of the Speed issue side by side with
# llama.cpp, verdicts in out/speed/SPEED.md; about 10 minutes).
# Environment: LFMRT_BUILD_DIR (build), LFMRT_THREADS (lfmrt's default: all cores), LFMRT_SPEED (full:
# the campaign, quick: its smoke run, 0: skip it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${LFMRT_BUILD_DIR:-build}
JOBS=$(nproc 2>/dev/null || echo 2)
MODEL=out/lfm2-350m-q8_0.gguf
step() { printf '\n===== %s\n' "$*"; }
T0=$(date +%s)

step "setup"
bash scripts/setup.sh

step "llama.cpp peer (node-llama-cpp@3.21.1) for the side-by-side benchmark"
mkdir -p "$BUILD"
PEER=1
bash scripts/peer-install.sh "$BUILD/peer" || { PEER=0; echo "no llama.cpp peer: the comparison is skipped"; }

step "build ($BUILD, Release)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$JOBS" >"$BUILD/main-build.log" 2>&1 || { tail -n 60 "$BUILD/main-build.log"; exit 1; }
LFMRT="$BUILD/lfmrt"
"$LFMRT" --version

step "model: $MODEL (random weights at LFM2-350M dimensions)"
mkdir -p out
if [ ! -s "$MODEL" ]; then
  "$LFMRT" gen-model --arch lfm2 --preset lfm2-350m --type q8_0 -o "$MODEL.tmp"
  mv -f "$MODEL.tmp" "$MODEL"
else
  echo "cached: $MODEL"
fi

step "run: -p \"Hello\" -n 32"
t=$(date +%s.%N)
"$LFMRT" run -m "$MODEL" -p "Hello" -n 32
echo
awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "run wall time (load + prefill + 32 tokens): %.2f s\n", b - a }'

step "benchmark"
if "$LFMRT" bench --help >/dev/null 2>&1; then
  "$LFMRT" bench -m "$MODEL" -t 1,2 -p 512 -n 128 -r 3
  if [ "$PEER" = 1 ] && [ -x "$BUILD/llamacpp_bench" ]; then
    step "side by side with llama.cpp (same file, alternating, 2 threads, 1 and 4 sequences)"
    "$LFMRT" bench -m "$MODEL" -t 2 -p 512 -n 128 -r 3 --sequences 1,4 --compare-llamacpp
    case "${LFMRT_SPEED:-full}" in
      0) echo "speed campaign skipped (LFMRT_SPEED=0)" ;;
      quick) step "speed campaign (smoke run)"; LFMRT_BUILD_DIR="$BUILD" bash scripts/speed-matrix.sh --quick out/speed ;;
      *) step "speed campaign: every target of the Speed issue (out/speed/SPEED.md)"
         LFMRT_BUILD_DIR="$BUILD" bash scripts/speed-matrix.sh out/speed ;;
    esac
  fi
else
  echo "lfmrt bench is not available yet: timing 3 runs of 128 tokens instead"
  for i in 1 2 3; do
    t=$(date +%s.%N)
    "$LFMRT" run -m "$MODEL" -p "Once upon a time" -n 128 >/dev/null
    awk -v a="$t" -v b="$(date +%s.%N)" -v i="$i" 'BEGIN { printf "run %d: 128 tokens in %.2f s (%.1f tok/s incl. load and prefill)\n", i, b - a, 128 / (b - a) }'
  done
fi
echo "main: done in $(($(date +%s) - T0)) s"
