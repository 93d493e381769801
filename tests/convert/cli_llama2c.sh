#!/usr/bin/env bash
# tests/convert/cli_llama2c.sh BIN SCRATCH - `lfmrt convert --llama2c` end to end on karpathy's
# stories260K (LFMRT_TEST_DATA/models/stories260K): the converted file inspects as a 5-layer llama,
# `lfmrt run` at temperature 0 from an empty prompt prints expected_greedy_256.txt (one leading space
# allowed: SentencePiece's prefix space on the first piece), `lfmrt eval` predicts token 403 ("Once")
# after BOS; bad inputs exit 1 with one 'lfmrt: ' line naming the problem, usage errors exit 2.
# Skips (77) without the data.
. "$(dirname "$0")/../cli/lib.sh" "$@"
D="${LFMRT_TEST_DATA:-$(dirname "$0")/../../../shared/data}/models/stories260K"
for f in stories260K.bin tok512.bin expected_greedy_256.txt; do
  [ -s "$D/$f" ] || { echo "SKIP: $D/$f not found (set LFMRT_TEST_DATA)" >&2; exit 77; }
done

expect_ok convert --llama2c "$D/stories260K.bin" --llama2c-tokenizer "$D/tok512.bin" -o "$T/s.gguf"
[ -s "$T/s.gguf" ] || fail "convert wrote no $T/s.gguf"
expect_ok inspect "$T/s.gguf"
grep -q 'llama' "$T/out" || fail "inspect: no 'llama' architecture"
grep -q 'AAAAA' "$T/out" || fail "inspect: layer layout is not 5 attention layers"
expect_ok eval -m "$T/s.gguf" --tokens 1 --top-k 1 --kv-type f32
grep -q '"argmax":403' "$T/out" || fail "eval after BOS: argmax is not 403 ('Once')"
expect_ok run -m "$T/s.gguf" -p "" -n 256 --temp 0 -t 1
sed '1s/^ //' "$T/out" >"$T/story.txt"
# $(...) drops trailing newlines on both sides
if [ "$(cat "$T/story.txt")" != "$(cat "$D/expected_greedy_256.txt")" ]; then
  diff "$T/story.txt" "$D/expected_greedy_256.txt" | head -5 >&2
  fail "lfmrt run greedy text differs from expected_greedy_256.txt"
fi

head -c 1000 "$D/stories260K.bin" >"$T/short.bin"
expect_error 1 convert --llama2c "$T/short.bin" --llama2c-tokenizer "$D/tok512.bin" -o "$T/x.gguf"
grep -q 'truncated' "$T/err" || fail "truncated checkpoint: message does not say so"
[ ! -e "$T/x.gguf" ] || fail "a failed conversion left $T/x.gguf"
head -c 3000 "$D/tok512.bin" >"$T/short-tok.bin"
expect_error 1 convert --llama2c "$D/stories260K.bin" --llama2c-tokenizer "$T/short-tok.bin" -o "$T/x.gguf"
grep -q 'short-tok.bin' "$T/err" || fail "short tokenizer: message does not name the file"
expect_error 1 convert --llama2c "$T/missing.bin" --llama2c-tokenizer "$D/tok512.bin" -o "$T/x.gguf"
expect_error 2 convert --llama2c "$D/stories260K.bin" --llama2c-tokenizer "$D/tok512.bin"
done_ok
