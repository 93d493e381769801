# tests/cli/bench.sh - `lfmrt bench` output (never its timings): on a generated tiny LFM2 model,
# --json gives one object per configuration (threads x context) with every required key, positive
# speeds and latencies, sequences 1, a memory breakdown that sums to at most the peak RSS and a KV cache
# of exactly the size the tiny geometry implies; the markdown table has its header and one row per
# configuration; -t/--ctx list errors are usage errors. JSON is checked with node when present.
. "$(dirname "$0")/lib.sh" "$@"
M=$T/tiny-q8_0.gguf
expect_ok gen-model --preset tiny --type q8_0 --seed 3 -o "$M"

expect_ok bench -m "$M" --json -p 16 -n 8 -r 2 -t 1,2 --ctx 16,32
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "bench --json: want 4 lines (2 threads x 2 contexts), got $(wc -l <"$T/out")"
grep -q '^bench: ' "$T/err" || fail "bench: no progress on stderr"
# tiny LFM2 preset: attention layers 1 and 4 (2 of 6), 2 KV heads of dim 64; f16 K and V rows for
# context + decode positions: 2 layers * 2 (K, V) * (C + 8) * 2 * 64 * 2 bytes
kv_bytes() { echo $((2 * 2 * ($1 + 8) * 2 * 64 * 2)); }
[ "$(kv_bytes 16)" -eq 24576 ] || fail "test arithmetic"
i=0
for th in 1 2; do
  for c in 16 32; do
    i=$((i + 1))
    sed -n "${i}p" "$T/out" >"$T/row$i.json"
    grep -q "\"threads\":$th,\"context\":$c," "$T/row$i.json" || fail "row $i: want threads $th context $c: $(cat "$T/row$i.json")"
    grep -q "\"kv_cache\":$(kv_bytes $c)," "$T/row$i.json" || fail "row $i: kv_cache is not $(kv_bytes $c) bytes"
    if have_node; then
      is_json "$T/row$i.json" '["model","type","threads","context","sequences","prefill_tokens","decode_tokens","prefill_tok_s","decode_tok_s","ttft_ms","peak_rss_bytes","latency_ms_p50","latency_ms_p95","latency_ms_p99","cold_start_ms","cpu_util_prefill","cpu_util_decode","prefill_tok_s_min","prefill_tok_s_max","decode_tok_s_min","decode_tok_s_max","memory"].every(k => k in j)'
      is_json "$T/row$i.json" "j.threads === $th && j.context === $c && j.prefill_tokens === $c && j.decode_tokens === 8 && j.sequences === 1 && j.type === 'Q8_0'"
      is_json "$T/row$i.json" 'j.prefill_tok_s > 0 && j.decode_tok_s > 0 && j.ttft_ms > 0 && j.cold_start_ms > 0 && j.peak_rss_bytes > 0'
      is_json "$T/row$i.json" 'j.prefill_tok_s_min <= j.prefill_tok_s && j.prefill_tok_s <= j.prefill_tok_s_max && j.decode_tok_s_min <= j.decode_tok_s && j.decode_tok_s <= j.decode_tok_s_max'
      is_json "$T/row$i.json" 'j.latency_ms_p50 > 0 && j.latency_ms_p50 <= j.latency_ms_p95 && j.latency_ms_p95 <= j.latency_ms_p99'
      is_json "$T/row$i.json" 'j.cpu_util_prefill > 0 && j.cpu_util_decode > 0'
      is_json "$T/row$i.json" 'j.memory.weights_mapped > 0 && j.memory.weights_resident > 0 && j.memory.weights_resident <= j.memory.weights_mapped && j.memory.conv_state > 0 && j.memory.scratch > 0'
      is_json "$T/row$i.json" 'j.memory.weights_resident + j.memory.kv_cache + j.memory.conv_state + j.memory.scratch <= j.peak_rss_bytes'
      # the background repack (Q8_0: packed where the CPU has AVX-512 VNNI) is waited for and reported
      is_json "$T/row$i.json" 'j.repack_ms >= 0 && j.memory.weights_packed >= 0 && j.memory.weights_packed <= 2 * j.memory.weights_mapped'
      is_json "$T/row$i.json" 'j.memory.weights_packed + j.memory.kv_cache + j.memory.scratch <= j.peak_rss_bytes'
      # the mapping is the whole file
      is_json "$T/row$i.json" "j.memory.weights_mapped === $(stat -c %s "$M")"
    fi
  done
done

expect_ok bench -m "$M" -p 16 -n 4 -r 2 -t 1 --ctx 8,16
grep -q '^| model | type | threads | context | sequences | prefill tok/s' "$T/out" || fail "bench: no markdown header row"
grep -q '^|---|' "$T/out" || fail "bench: no markdown separator row"
[ "$(grep -c '^| lfmrt random LFM2-tiny' "$T/out")" -eq 2 ] || fail "bench: want 2 table rows"
grep -q '^| lfmrt random LFM2-tiny.* | Q8_0 | 1 | 16 | 1 |' "$T/out" || fail "bench: no row for 1 thread, context 16"

# --sequences: one configuration per S; S sessions (S x the KV cache), aggregate decode tok/s
expect_ok bench -m "$M" --json -p 16 -n 8 -r 1 -t 1 --sequences 1,3
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "bench --sequences 1,3: want 2 lines, got $(wc -l <"$T/out")"
sed -n 1p "$T/out" >"$T/s1.json"
sed -n 2p "$T/out" >"$T/s3.json"
grep -q '"context":16,"sequences":1,' "$T/s1.json" || fail "--sequences: row 1 is not sequences 1"
grep -q '"context":16,"sequences":3,' "$T/s3.json" || fail "--sequences: row 2 is not sequences 3"
grep -q "\"kv_cache\":$((3 * $(kv_bytes 16)))," "$T/s3.json" || fail "--sequences 3: kv_cache is not 3 sessions' worth"
grep -q '^bench: 1 thread(s), context 16, 3 sequence(s)' "$T/err" || fail "--sequences: progress line"
if have_node; then
  is_json "$T/s3.json" 'j.sequences === 3 && j.decode_tok_s > 0 && Math.abs(j.decode_tok_s_per_sequence * 3 - j.decode_tok_s) <= 1e-5 * j.decode_tok_s'
  is_json "$T/s3.json" 'j.latency_ms_p50 > 0 && j.latency_ms_p50 <= j.latency_ms_p95 && j.ttft_ms > 0'
fi
expect_ok bench -m "$M" -p 8 -n 4 -r 1 -t 1 --sequences 2
grep -q '^| lfmrt random LFM2-tiny.* | Q8_0 | 1 | 8 | 2 |' "$T/out" || fail "bench --sequences 2: no table row"
expect_error 2 bench -m "$M" -t 1 --sequences 0
expect_error 2 bench -m "$M" -t 1 --sequences 1,x
expect_error 2 bench -m "$M" -t 1 --sequences 257

expect_error 2 bench -m "$M" -t 1,0
expect_error 2 bench -m "$M" -t 1,x
expect_error 2 bench -m "$M" --ctx 8,16 --compare-llamacpp -t 1
expect_error 2 bench -m "$M" -t 1,2 --compare-llamacpp
expect_error 1 bench -m "$T/missing.gguf" -t 1
done_ok
