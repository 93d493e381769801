#!/usr/bin/env bash
# tests/speed/summary.sh SUMMARY_MJS SCRATCH - the speed summary's verdicts on a fixture: each target
# of the issue compared with its goal (met / MISSED by how much), 4-sequence aggregates against the same
# model's 1-sequence run, and a clear error on a malformed line. Exit 77 (skipped) without node.
set -uo pipefail
MJS=$1
TMP=${2:-/tmp}/speed-summary.$$
command -v node >/dev/null || { echo "SKIP: node not installed"; exit 77; }
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
fail=0
expect() { # description, pattern
  if grep -qF -- "$2" "$TMP/out.md"; then echo "ok: $1"; else echo "FAIL: $1: no line with '$2'"; fail=1; fi
}
row() { # model threads seqs pp tg lpp ltg roof cold lcold
  printf '{"model":"/x/%s","name":"n","threads":%s,"sequences":%s,"n_prompt":512,"n_gen":128,"reps":3,"weight_bytes":1,"bandwidth_gbs":{"t1":15,"t2":29,"threads":29},"lfmrt":{"prefill_tok_s":%s,"decode_tok_s":%s,"decode_roofline":%s,"cold_start_ms":%s},"llamacpp":{"prefill_tok_s":%s,"decode_tok_s":%s,"decode_roofline":0.5,"cold_start_ms":%s},"ratio":{"prefill":%s,"decode":%s,"cold_start":%s}}\n' \
    "$1" "$2" "$3" "$4" "$5" "$8" "$9" "$6" "$7" "${10}" \
    "$(awk -v a="$4" -v b="$6" 'BEGIN{print a/b}')" "$(awk -v a="$5" -v b="$7" 'BEGIN{print a/b}')" \
    "$(awk -v a="$9" -v b="${10}" 'BEGIN{print a/b}')"
}
{
  row lfm2-350m-q4_0.gguf 2 1 900 120 450 100 0.90 90 300   # all met
  row lfm2-350m-q4_0.gguf 2 4 900 240 450 200 0.50 90 300   # aggregate x2.0 < 2.5: missed
  row lfm2-350m-q8_0.gguf 2 1 600 60 400 70 0.70 160 200    # decode 0.86x, roofline 70 %, cold start 160 ms
  row qwen3-0.6b-q4_0.gguf 2 1 520 90 400 80 0.81 50 100    # prefill 1.3 met, roofline 81 % met (goal 80)
  row lfm2-350m-f16.gguf 2 1 300 20 310 19 0.9 100 300      # F16 prefill 0.97x missed
  row gemma3-270m-q4_0.gguf 2 1 520 90 400 80 0.7996 50 100 # roofline 79.96 %: missed, though it rounds to 80 %
  row gemma3-270m-q8_0.gguf 2 1 520 90 400 80 0.8004 50 100 # roofline 80.04 %: met
} >"$TMP/r.jsonl"
# the KV columns: n/a without the fields (older results), figures with them
printf '%s\n' '{"model":"/x/qwen3-0.6b-q8_0.gguf","name":"n","threads":2,"sequences":1,"n_prompt":512,"n_gen":128,"reps":3,"weight_bytes":1,"kv_bytes_per_token":69206016,"bandwidth_gbs":{"t1":15,"t2":29,"threads":29},"lfmrt":{"prefill_tok_s":500,"decode_tok_s":50,"decode_roofline":0.72,"decode_bandwidth_fraction":0.861,"cold_start_ms":50},"llamacpp":{"prefill_tok_s":300,"decode_tok_s":30,"decode_roofline":0.43,"decode_bandwidth_fraction":0.516,"cold_start_ms":100},"ratio":{"prefill":1.667,"decode":1.667,"cold_start":0.5}}' >>"$TMP/r.jsonl"
node "$MJS" "$TMP/r.jsonl" >"$TMP/out.md" || { echo "FAIL: summary exited $?"; exit 1; }
expect "kv columns" "| qwen3-0.6b | q8_0 | 2 | 1 | 500.0 / 50.0 | 300.0 / 30.0 | 1.67 / 1.67 | 72 % / 43 % | 86 % / 52 % | 66.0 | 29.0 |"
expect "kv columns absent" "| 90 % / 50 % | n/a / n/a | n/a | 29.0 |"
expect "decode ratio met" "| lfm2-350m q4_0 2T: decode vs llama.cpp | >= 1.00 | 1.20 | met |"
expect "prefill ratio met" "| lfm2-350m q4_0 2T: prefill vs llama.cpp | >= 1.50 | 2.00 | met |"
expect "roofline met" "| lfm2-350m q4_0 2T: decode roofline | >= 85 % | 90 % | met |"
expect "cold start met" "| lfm2-350m q4_0 2T: cold start vs llama.cpp | <= 0.50 | 0.30 | met |"
expect "aggregate missed" "| lfm2-350m q4_0 2T, 4 sequences: aggregate decode / 1 sequence | >= 2.50 | 2.00 | MISSED (by 0.50) |"
expect "4-seq vs llama.cpp met" "| lfm2-350m q4_0 2T, 4 sequences: aggregate decode vs llama.cpp | >= 1.00 | 1.20 | met |"
expect "decode missed" "| lfm2-350m q8_0 2T: decode vs llama.cpp | >= 1.00 | 0.86 | MISSED (by 0.14) |"
expect "roofline missed" "| lfm2-350m q8_0 2T: decode roofline | >= 85 % | 70 % | MISSED (by 15 %) |"
expect "cold start ms missed" "| lfm2-350m q8_0 2T: cold start | <= 150.0 | 160.0 | MISSED (by 10.0) |"
expect "qwen3 roofline goal 80 %" "| qwen3-0.6b q4_0 2T: decode roofline | >= 80 % | 81 % | met |"
expect "qwen3 prefill goal 1.3" "| qwen3-0.6b q4_0 2T: prefill vs llama.cpp | >= 1.30 | 1.30 | met |"
expect "near miss shown finer" "| gemma3-270m q4_0 2T: decode roofline | >= 80 % | 79.96 % | MISSED (by 0.04 %) |"
expect "near met as usual" "| gemma3-270m q8_0 2T: decode roofline | >= 80 % | 80 % | met |"
expect "f16 prefill missed" "| lfm2-350m f16 2T: prefill vs llama.cpp | >= 1.00 | 0.97 | MISSED (by 0.03) |"
expect "count" "18 of 26 targets met."
# a host whose last-level cache holds the weights (fixture: 1 byte): models marked, host named; with a
# cache under half the weights, none
LFMRT_CPU_NAME="Test CPU" LFMRT_LLC_BYTES=4194304 node "$MJS" "$TMP/r.jsonl" >"$TMP/out.md" || { echo "FAIL: summary exited $?"; exit 1; }
expect "host line" "Host: Test CPU, last-level cache 4 MiB. † marks a model whose weights"
expect "cache-resident row marked" "| lfm2-350m † | q4_0 | 2 | 1 |"
expect "cache-resident roofline marked" "| lfm2-350m q4_0 2T: decode roofline † | >= 85 % | 90 % | met |"
LFMRT_LLC_BYTES=0.5 node "$MJS" "$TMP/r.jsonl" >"$TMP/out.md" || { echo "FAIL: summary exited $?"; exit 1; }
if grep -v "marks a model" "$TMP/out.md" | grep -q "†"; then echo "FAIL: marked with a cache under half the weights"; fail=1; else echo "ok: not marked"; fi
echo '{"model": oops' >>"$TMP/r.jsonl"
if node "$MJS" "$TMP/r.jsonl" >"$TMP/out2.md" 2>"$TMP/err"; then echo "FAIL: malformed line accepted"; fail=1
elif grep -q "r.jsonl:9: not JSON" "$TMP/err"; then echo "ok: malformed line named"; else echo "FAIL: error: $(cat "$TMP/err")"; fail=1; fi
exit $fail
