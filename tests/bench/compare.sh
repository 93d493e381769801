#!/usr/bin/env bash
# tests/bench/compare.sh LFMRT BWPROBE SCRATCH - checks bench/bwprobe and `lfmrt bench --compare-llamacpp`
# (see tests.cmake). The llama.cpp driver and the probe are replaced by scripts that log their
# arguments and print fixed JSON, so every figure in the comparison is known in advance except ours.
BWPROBE=$2
. "$(dirname "$0")/../cli/lib.sh" "$1" "$3"

# ---- bwprobe: real run on a small buffer -------------------------------------------------------
[ -x "$BWPROBE" ] || fail "bwprobe '$BWPROBE' not found"
"$BWPROBE" -s 8 -r 2 -t 1,2 --json >"$T/bw.json" 2>"$T/err" || fail "bwprobe -s 8 -r 2 --json: exit $?"
grep -Eq '^\{"buffer_mib":8,"reps":2,"isa":"[a-z0-9]+","probes":\[\{"threads":1,"gbs":[0-9.]+,"gbs_min":[0-9.]+,"gbs_max":[0-9.]+\},\{"threads":2,' "$T/bw.json" ||
  fail "bwprobe JSON shape: $(cat "$T/bw.json")"
awk -F'"gbs":' '{ split($2, a, ","); if (!(a[1] + 0 > 0)) exit 1 }' "$T/bw.json" || fail "bwprobe: bandwidth not > 0"
"$BWPROBE" -s 8 -r 1 -t 1 | grep -q '^read-sum 8 MiB, 1 thread (.*): .* GB/s' || fail "bwprobe text line"
for bad in "-s 0" "-r 0" "-t 0" "-t 1,x" "--nope 1"; do
  # shellcheck disable=SC2086
  "$BWPROBE" $bad >/dev/null 2>&1
  [ $? -eq 2 ] || fail "bwprobe $bad: want exit 2"
done

# ---- compare with stand-ins ---------------------------------------------------------------------
M=$T/tiny.gguf
expect_ok gen-model --arch lfm2 --preset tiny --type q4_0 -o "$M"

cat >"$T/fake_llama.sh" <<'EOS'
#!/usr/bin/env bash
# stand-in for bench/llamacpp_bench: logs its arguments, alternates prefill 100 / 300 tok/s (median 100
# of 100, 300, 100), decode 40 tok/s
case " $* " in *" --cold-start "*) echo "$*" >>"$(dirname "$0")/cold.log"; echo "ready 7"; exit 0 ;; esac
echo "$*" >>"$(dirname "$0")/llama.log"
n=$(wc -l <"$(dirname "$0")/llama.log")
p=100; [ $((n % 2)) -eq 0 ] && p=300
echo "{\"engine\":\"llama.cpp\",\"threads\":1,\"load_ms\":1.0,\"prefill\":{\"tokens\":16,\"tok_s\":$p,\"tok_s_min\":$p,\"tok_s_max\":$p,\"runs\":[$p]},\"decode\":{\"tokens\":4,\"tok_s\":40,\"tok_s_min\":40,\"tok_s_max\":40,\"runs\":[40]}}"
EOS
cat >"$T/fake_bw.sh" <<'EOS'
#!/usr/bin/env bash
echo "$*" >>"$(dirname "$0")/bw.log"
# odd calls (before the cold starts) 1 thread 8, 2 threads 16; even calls (after) 10 and 12: a run keeps
# the larger of each, 10 and 16
if [ $(($(wc -l <"$(dirname "$0")/bw.log") % 2)) -eq 1 ]; then a=8 b=16; else a=10 b=12; fi
echo "{\"buffer_mib\":1024,\"reps\":3,\"isa\":\"fake\",\"probes\":[{\"threads\":1,\"gbs\":$a.000,\"gbs_min\":7,\"gbs_max\":11},{\"threads\":2,\"gbs\":$b.000,\"gbs_min\":11,\"gbs_max\":17}]}"
EOS
chmod +x "$T/fake_llama.sh" "$T/fake_bw.sh"

expect_error 2 bench -m "$M" -p 16 -n 4 --compare-llamacpp        # no thread count
expect_error 2 bench -m "$M" -t 1 --compare-llamacpp --ctx 8
expect_error 1 bench -m "$M" -t 1 -p 16 -n 4 -r 1 --compare-llamacpp --llamacpp-bench "$T/none" --bwprobe "$T/fake_bw.sh"

rm -f "$T/llama.log"
expect_ok bench -m "$M" -t 1 -p 16 -n 4 -r 1 --compare-llamacpp --llamacpp-bench "$T/fake_llama.sh" \
  --bwprobe "$T/fake_bw.sh" --json
cp "$T/out" "$T/cmp.json"
W=$(grep -o '"weight_bytes":[0-9]*' "$T/cmp.json" | cut -d: -f2)
[ -n "$W" ] && [ "$W" -gt 0 ] || fail "compare --json: no weight_bytes"
grep -q "^{\"model\":.*\"llamacpp\":{\"prefill_tok_s\":100,\"decode_tok_s\":40," "$T/cmp.json" || fail "compare --json: llamacpp entry: $(cat "$T/cmp.json")"
if have_node; then
  is_json "$T/cmp.json" 'j.threads === 1 && j.n_prompt === 16 && j.n_gen === 4 && j.reps === 1 && j.bandwidth_gbs.t1 === 10 && j.bandwidth_gbs.t2 === 16'
  is_json "$T/cmp.json" "j.weight_bytes === $W && j.lfmrt.prefill_tok_s > 0 && j.lfmrt.decode_runs.length === 1"
  # JSON numbers carry 7 significant digits: compare relatively
  is_json "$T/cmp.json" 'Math.abs(j.ratio.prefill - j.lfmrt.prefill_tok_s / 100) <= 1e-5 * j.ratio.prefill && Math.abs(j.ratio.decode - j.lfmrt.decode_tok_s / 40) <= 1e-5 * j.ratio.decode'
  is_json "$T/cmp.json" 'Math.abs(j.llamacpp.decode_roofline - 40 * j.weight_bytes / 1e9 / 10) <= 1e-5 * j.llamacpp.decode_roofline'
  # with the KV cache: the 4 decode steps attend to 17..20 cached positions, mean 18.5, each position the
  # same whole number of bytes (K and V of every attention layer)
  is_json "$T/cmp.json" '((p) => p >= 64 && Math.abs(p - Math.round(p)) < 1e-4)(j.kv_bytes_per_token / 18.5)'
  is_json "$T/cmp.json" 'Math.abs(j.llamacpp.decode_total_gbs - 40 * (j.weight_bytes + j.kv_bytes_per_token) / 1e9) <= 1e-5 * j.llamacpp.decode_total_gbs'
  is_json "$T/cmp.json" 'Math.abs(j.llamacpp.decode_bandwidth_fraction - j.llamacpp.decode_total_gbs / 10) <= 1e-5 * j.llamacpp.decode_bandwidth_fraction'
  is_json "$T/cmp.json" 'j.lfmrt.decode_bandwidth_fraction > j.lfmrt.decode_roofline'
  is_json "$T/cmp.json" 'j.ratio.prefill_paired === j.ratio.prefill && j.ratio.decode_paired === j.ratio.decode' # one rep
fi

rm -f "$T/llama.log" "$T/bw.log"
expect_ok bench -m "$M" -t 1 -p 16 -n 4 -r 3 --compare-llamacpp --llamacpp-bench "$T/fake_llama.sh" \
  --bwprobe "$T/fake_bw.sh" --lib-dir /some/libs
[ "$(wc -l <"$T/llama.log")" -eq 3 ] || fail "compare: want 3 llama.cpp runs, got $(wc -l <"$T/llama.log")"
grep -qx -- "-m $M -t 1 -p 16 -n 4 -r 1 --json --lib-dir /some/libs" "$T/llama.log" ||
  fail "compare: driver arguments: $(head -1 "$T/llama.log")"
grep -qx -- "--json -r 3 -t 1,2" "$T/bw.log" || fail "compare: probe arguments: $(cat "$T/bw.log")"
[ "$(wc -l <"$T/bw.log")" -eq 2 ] || fail "compare: want the probe run twice, got $(wc -l <"$T/bw.log")"
grep -q '^read bandwidth .*1 thread 10.0 GB/s, 2 threads 16.0 GB/s' "$T/out" || fail "compare: bandwidth line"
grep -q '^KV cache read per decoded token (f16 K and V of the cached positions, mean over the decode): [0-9.]* MiB per sequence$' "$T/out" ||
  fail "compare: KV line"
grep -Eq '^\| lfmrt \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9]+ % \| [0-9.]+ \| [0-9]+ % \|$' "$T/out" || fail "compare: lfmrt row"
# llama.cpp: prefill median 100, decode 40; decode GB/s = 40 x W / 1e9; roofline = that / 10 GB/s
want_gbs=$(awk -v w="$W" 'BEGIN { printf "%.1f", 40 * w / 1e9 }')
want_roof=$(awk -v w="$W" 'BEGIN { printf "%.0f", 100 * 40 * w / 1e9 / 10 }')
grep -q "^| llama.cpp | 100.0 | 40.0 | $want_gbs | $want_roof % | [0-9.]* | [0-9]* % |$" "$T/out" ||
  fail "compare: llama.cpp row, want '| llama.cpp | 100.0 | 40.0 | $want_gbs | $want_roof % | ...': $(grep llama.cpp "$T/out")"
grep -Eq '^\| lfmrt / llama.cpp \| [0-9.]+ \| [0-9.]+ \| \| \| \| \|$' "$T/out" || fail "compare: ratio row"
grep -Eq '^\| lfmrt / llama.cpp, paired \| [0-9.]+ \| [0-9.]+ \| \| \| \| \|$' "$T/out" || fail "compare: paired ratio row"
grep -q '^runs (prefill / decode tok/s): \[lfmrt .*, llama.cpp 100.0 / 40.0\] \[lfmrt .*, llama.cpp 300.0 / 40.0\] \[lfmrt .*, llama.cpp 100.0 / 40.0\]$' "$T/out" ||
  fail "compare: runs line: $(grep '^runs' "$T/out")"
# the ratio is ours / theirs: recompute it from the table
awk -F'|' '/^\| lfmrt \|/ { pf = $3 + 0; dc = $4 + 0 }
           /^\| lfmrt \/ llama.cpp \|/ { rp = $3 + 0; rd = $4 + 0 }
           END { if (pf <= 0 || dc <= 0) exit 1
                 if (rp - pf / 100 > 0.01 || pf / 100 - rp > 0.01) exit 1  # %.2f and %.1f rounding
                 if (rd - dc / 40 > 0.01 || dc / 40 - rd > 0.01) exit 1 }' "$T/out" ||
  fail "compare: ratios do not equal lfmrt / llama.cpp"

# --sequences and cold start: llama.cpp gets -s S for S > 1; the cold-start probe runs once untimed
# and min(reps, 8) times; one JSON object per S
rm -f "$T/llama.log" "$T/cold.log"
expect_ok bench -m "$M" -t 1 -p 16 -n 4 -r 2 --compare-llamacpp --llamacpp-bench "$T/fake_llama.sh" \
  --bwprobe "$T/fake_bw.sh" --sequences 1,3 --json
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "compare --sequences 1,3 --json: want 2 lines"
[ "$(wc -l <"$T/llama.log")" -eq 4 ] || fail "compare --sequences 1,3 -r 2: want 4 llama.cpp runs"
[ "$(grep -c -- ' -s 3 ' "$T/llama.log")" -eq 2 ] || fail "compare: -s 3 not passed to the driver: $(cat "$T/llama.log")"
sed -n 1p "$T/llama.log" | grep -q -- ' -s ' && fail "compare: -s passed for 1 sequence"
[ "$(wc -l <"$T/cold.log")" -eq 3 ] || fail "compare: want 3 cold-start runs (1 untimed + 2), got $(wc -l <"$T/cold.log")"
grep -qx -- "-m $M -t 1 --cold-start" "$T/cold.log" || fail "compare: cold-start arguments: $(head -1 "$T/cold.log")"
sed -n 2p "$T/out" >"$T/s3.json"
grep -q '"threads":1,"sequences":3,' "$T/s3.json" || fail "compare: second object is not sequences 3"
if have_node; then
  is_json "$T/s3.json" 'j.lfmrt.cold_start_ms > 0 && j.llamacpp.cold_start_ms > 0 && j.lfmrt.cold_start_runs.length === 2'
  is_json "$T/s3.json" 'Math.abs(j.ratio.cold_start - j.lfmrt.cold_start_ms / j.llamacpp.cold_start_ms) <= 1e-5 * j.ratio.cold_start'
  # 3 sequences: weights read once per step of 3 tokens
  is_json "$T/s3.json" 'Math.abs(j.llamacpp.decode_roofline - 40 / 3 * j.weight_bytes / 1e9 / 10) <= 1e-5 * j.llamacpp.decode_roofline'
  # ... but each sequence its own KV cache
  is_json "$T/s3.json" 'Math.abs(j.llamacpp.decode_total_gbs - 40 * (j.weight_bytes / 3 + j.kv_bytes_per_token) / 1e9) <= 1e-5 * j.llamacpp.decode_total_gbs'
fi
expect_ok bench -m "$M" -t 1 -p 16 -n 4 -r 1 --compare-llamacpp --llamacpp-bench "$T/fake_llama.sh" \
  --bwprobe "$T/fake_bw.sh" --sequences 1,2
grep -q '^2 sequences (aggregate' "$T/out" || fail "compare: no 2-sequence table"
grep -q '^2 sequences / 1 sequence, aggregate decode: lfmrt x[0-9.]*, llama.cpp x1.00$' "$T/out" || fail "compare: scaling line"
grep -Eq '^\| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$' "$T/out" || fail "compare: cold start row"

echo "bench.compare: $N_CHECKS checks passed"
