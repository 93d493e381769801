# tests/cli/e2e.sh - end to end through the binary: gen-model tiny q8_0 -> inspect (text and JSON) ->
# tokenize -> run twice greedy (same text) -> run --json -> eval JSON (right number of positions,
# sorted tops, log-probs <= 0) -> bench (text and JSON) -> chat over stdin (two turns).
# JSON is checked with node when present. Models run with -t 1: on a loaded 2-core machine a second
# worker thread only adds scheduling noise.
. "$(dirname "$0")/lib.sh" "$@"
M=$T/tiny-q8_0.gguf

expect_ok gen-model --preset tiny --type q8_0 --seed 7 -o "$M"
[ -s "$M" ] || fail "gen-model wrote no file"
[ ! -e "$M.part" ] || fail "gen-model left $M.part behind"
grep -q "random weights" "$T/err" || fail "gen-model does not say the weights are random"

expect_ok inspect "$M"
grep -q '^architecture:  lfm2' "$T/out" || fail "inspect: no architecture line"
grep -q '^layers: .*short conv' "$T/out" || fail "inspect: no layer layout"
grep -q 'token_embd.weight' "$T/out" || fail "inspect: no token_embd.weight"
expect_ok inspect --json "$M"
cp "$T/out" "$T/inspect.json"
if have_node; then
  is_json "$T/inspect.json" '["file","size","version","architecture","name","license","layers","totals","metadata","tensors"].every(k => k in j)'
  is_json "$T/inspect.json" 'j.architecture === "lfm2" && j.version === 3 && j.tensors.length === j.totals.n_tensors'
  is_json "$T/inspect.json" 'j.layers.n === 6 && j.layers.kinds.length === 6 && j.layers.n_attention + j.layers.n_conv === 6'
  is_json "$T/inspect.json" 'j.tensors.some(t => t.name === "token_embd.weight" && t.dtype === "Q8_0" && t.shape.length === 2)'
  is_json "$T/inspect.json" 'j.metadata["general.architecture"] === "lfm2" && j.metadata["tokenizer.ggml.tokens"].len > 1000'
fi

expect_ok tokenize -m "$M" --text "Hello world"
grep -Eq '^\{"ids":\[[0-9]+(,[0-9]+)*\]\}$' "$T/out" || fail "tokenize output '$(cat "$T/out")'"
expect_ok tokenize -m "$M" --text "<|im_start|>user" --special
grep -q '^{"ids":\[6,' "$T/out" || fail "tokenize --special: <|im_start|> is not id 6: $(cat "$T/out")"
printf 'one\ntwo three\n' >"$T/lines.txt"
expect_ok tokenize -m "$M" --text-file "$T/lines.txt" --lines
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "tokenize --lines: want 2 lines"

expect_ok run -m "$M" -p "Hello" -n 8 --temp 0 -t 1
cp "$T/out" "$T/run1.txt"
grep -q 'prompt .* tokens, prefill .* tok/s' "$T/err" || fail "run: no timings on stderr"
expect_ok run -m "$M" -p "Hello" -n 8 --temp 0 -t 1
cmp -s "$T/out" "$T/run1.txt" || fail "greedy run differs between two runs"
# seeded sampling is reproducible too
expect_ok run -m "$M" -p "Hello" -n 8 --temp 1 --seed 42 -t 1
cp "$T/out" "$T/run_s1.txt"
expect_ok run -m "$M" -p "Hello" -n 8 --temp 1 --seed 42 -t 1
cmp -s "$T/out" "$T/run_s1.txt" || fail "seeded run differs between two runs"

expect_ok run -m "$M" -p "Hello" -n 8 --temp 0 -t 1 --json
cp "$T/out" "$T/run.json"
if have_node; then
  is_json "$T/run.json" 'typeof j.text === "string" && Array.isArray(j.tokens) && j.tokens.length <= 8'
  is_json "$T/run.json" '["eog","length","ctx"].includes(j.stop) && j.prompt_tokens >= 1 && "decode_tok_s" in j.timings'
  is_json "$T/run.json" 'j.stop !== "length" || j.tokens.length === 8'
fi

expect_ok eval -m "$M" --tokens 1,2,3,4,5 --top-k 5 -t 1
cp "$T/out" "$T/eval.json"
if have_node; then
  is_json "$T/eval.json" 'j.tokens.join() === "1,2,3,4,5" && j.positions.length === 5'
  is_json "$T/eval.json" 'j.positions.every((p, i) => p.pos === i && p.input === j.tokens[i] && p.top.length === 5)'
  is_json "$T/eval.json" 'j.positions.every(p => p.top[0].id === p.argmax && p.top.every((t, k) => t.logprob <= 0 && (k === 0 || p.top[k-1].logprob >= t.logprob)))'
  is_json "$T/eval.json" 'j.positions.every(p => Math.exp(p.top[0].logprob) <= 1.000001)'
fi
expect_ok eval -m "$M" --tokens 1,2,3,4,5 --positions 0,-1 --kv-type f32 -t 1
if have_node; then
  is_json "$T/out" 'j.positions.length === 2 && j.positions[0].pos === 0 && j.positions[1].pos === 4'
fi
expect_ok eval -m "$M" --text "Hello world" --bos --positions last -t 1
if have_node; then
  is_json "$T/out" 'j.tokens[0] === 1 && j.positions.length === 1 && j.positions[0].pos === j.tokens.length - 1'
fi
expect_error 2 eval -m "$M" --tokens 1,999999
grep -q "out of range" "$T/err" || fail "eval: out-of-range token message"

expect_ok bench -m "$M" -p 16 -n 4 -r 2 --ctx 8,16 -t 1
grep -q '^| model | type | threads | context | sequences | prefill tok/s' "$T/out" || fail "bench: no table header"
expect_ok bench -m "$M" -p 16 -n 4 -r 2 --ctx 8,16 -t 1 --json
if have_node; then
  sed -n 2p "$T/out" >"$T/bench.json"
  is_json "$T/bench.json" 'j.prefill_tokens === 16 && j.prefill_tok_s > 0 && j.decode_tokens === 4 && j.decode_tok_s > 0'
  is_json "$T/bench.json" 'j.latency_ms_p50 <= j.latency_ms_p95 && j.context === 16 && j.load_ms > 0 && j.peak_rss_bytes > 0 && j.threads === 1'
fi

# chat: two turns from stdin, then EOF
printf 'Hi there\nAnd again\n' | "$BIN" run -m "$M" --chat -n 4 --temp 0 -t 1 >"$T/chat.out" 2>"$T/chat.err"
[ $? -eq 0 ] || { cp "$T/chat.err" "$T/err"; fail "run --chat: non-zero exit"; }
[ "$(grep -c 'prompt .* tokens' "$T/chat.err")" -eq 2 ] || fail "run --chat: want timings for 2 turns"
# the first turn reuses nothing; the second reuses what the session holds and prefills only the rest
grep -q '^lfmrt: prompt [0-9]* tokens (+0 reused)' "$T/chat.err" || fail "run --chat: turn 1 stats: $(head -1 "$T/chat.err")"
R2=$(sed -n '2s/.*tokens (+\([0-9]*\) reused).*/\1/p' "$T/chat.err")
[ -n "$R2" ] && [ "$R2" -gt 0 ] || fail "run --chat: turn 2 reused no tokens: $(sed -n 2p "$T/chat.err")"
printf '/exit\nnot read\n' | "$BIN" run -m "$M" --chat -n 4 --temp 0 -t 1 >"$T/chat2.out" 2>"$T/chat2.err"
[ $? -eq 0 ] || fail "run --chat with /exit: non-zero exit"
[ ! -s "$T/chat2.err" ] || fail "run --chat: /exit still ran a turn"
done_ok
