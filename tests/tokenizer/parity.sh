#!/usr/bin/env bash
# tests/tokenizer/parity.sh - tokenizer parity with llama.cpp: for each vocabulary below, every line of
# tests/tokenizer/corpus.txt is tokenized by lfmrt (tokvocab tokenize) and by llama.cpp
# (compare_llamacpp.mjs, node-llama-cpp 3.21.1), with and without parse_special; the ids must be equal.
# Vocabularies: synthetic 65536-token LFM2-layout ones under each supported pre-tokenizer family
# (lfm2, llama-bpe, qwen2, gpt-2, default), the real GPT-2 vocabulary (shared/data), and the real Qwen3
# tokenizer.json laid out as llama.cpp's converter writes it; SentencePiece: llama.cpp's Llama 2 SPM
# vocabulary file, and (when $LFMRT_BIN is set) the real Gemma3 tokenizer.json converted by
# `lfmrt convert --hf-tokenizer` (an SPM vocabulary with scores).
#
# Usage: parity.sh TOKVOCAB WORKDIR     Exit 0 pass, 1 mismatch, 77 skip (no node / node-llama-cpp).
set -u
TOKVOCAB=$1
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS="$HERE/corpus.txt"
DATA=${LFMRT_TEST_DATA:-$HERE/../../../shared/data}
mkdir -p "$WORK/want" "$WORK/got"
command -v node >/dev/null || { echo "SKIP: node not found"; exit 77; }

vocabs=()
for pre in lfm2 llama-bpe qwen2 gpt-2 default; do
  f="$WORK/gen-$pre.gguf"
  "$TOKVOCAB" gen --pre "$pre" --n 65536 --seed 11 -o "$f" || exit 1
  vocabs+=("$f")
done
if [ -f "$DATA/vectors/llamacpp/ggml-vocab-gpt-2.gguf" ]; then vocabs+=("$DATA/vectors/llamacpp/ggml-vocab-gpt-2.gguf"); fi
if [ -f "$DATA/vectors/llamacpp/ggml-vocab-llama-spm.gguf" ]; then vocabs+=("$DATA/vectors/llamacpp/ggml-vocab-llama-spm.gguf"); fi
if [ -n "${LFMRT_BIN:-}" ] && [ -f "$DATA/tokenizers/gemma3/tokenizer.json" ]; then
  f="$WORK/gemma3-converted.gguf"
  "$LFMRT_BIN" convert --hf-tokenizer "$DATA/tokenizers/gemma3" -o "$f" || exit 1
  vocabs+=("$f")
fi
if [ -f "$DATA/tokenizers/qwen3/tokenizer.json" ]; then
  f="$WORK/qwen3.gguf"
  "$TOKVOCAB" hf --json "$DATA/tokenizers/qwen3/tokenizer.json" --pre qwen2 --vocab-size 151936 \
    --bos 151643 --eos 151645 -o "$f" || exit 1
  vocabs+=("$f")
fi

list=$(IFS=,; echo "${vocabs[*]}")
node "$HERE/compare_llamacpp.mjs" --model "$list" --corpus "$CORPUS" --both --out-dir "$WORK/want" 2>"$WORK/err.txt"
rc=$?
if [ $rc -eq 77 ]; then cat "$WORK/err.txt"; exit 77; fi
if [ $rc -ne 0 ]; then echo "FAIL: compare_llamacpp.mjs exited $rc"; tail -5 "$WORK/err.txt"; exit 1; fi

fail=0
for f in "${vocabs[@]}"; do
  b=$(basename "$f")
  "$TOKVOCAB" tokenize --model "$f" --corpus "$CORPUS" --both >"$WORK/got/$b.jsonl" || { fail=1; continue; }
  lines=$(wc -l <"$WORK/want/$b.jsonl")
  bad=$(diff "$WORK/want/$b.jsonl" "$WORK/got/$b.jsonl" | grep -c '^<')
  echo "$b: $((lines - bad))/$lines lines identical (each with and without parse_special)"
  if [ "$lines" -eq 0 ] || [ "$bad" -ne 0 ]; then
    fail=1
    diff "$WORK/want/$b.jsonl" "$WORK/got/$b.jsonl" | head -6
  fi
done
[ $fail -eq 0 ] && echo "PASS: tokenizer parity with llama.cpp" || echo "FAIL: tokenizer parity with llama.cpp"
exit $fail
