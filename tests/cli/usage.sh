# tests/cli/usage.sh - usage errors exit 2 with one stderr line; --help works everywhere; bad model
# files (missing, empty, garbage, a directory, truncated) exit 1 with one clear line; no crashes.
. "$(dirname "$0")/lib.sh" "$@"

# global level
expect_ok --help
grep -q '^usage: lfmrt COMMAND' "$T/out" || fail "--help: no usage line"
for c in run eval tokenize inspect gen-model bench; do
  grep -q "^  $c " "$T/out" || fail "--help does not list '$c'"
done
expect_ok -h
expect_ok --version
grep -q '^lfmrt [0-9]' "$T/out" || fail "--version: got '$(cat "$T/out")'"
expect_error 2
expect_error 2 frobnicate
grep -q "unknown command 'frobnicate'" "$T/err" || fail "unknown command message"
expect_error 2 --frob

# per command help
for c in run eval tokenize inspect gen-model bench; do
  expect_ok $c --help
  grep -q "^usage: lfmrt $c" "$T/out" || fail "$c --help: no usage line"
  [ ! -s "$T/err" ] || fail "$c --help wrote to stderr"
  expect_ok $c -h
  expect_ok help $c
  grep -q "^usage: lfmrt $c" "$T/out" || fail "help $c: no usage line"
done

# usage errors: unknown options, missing values, bad numbers, missing required arguments
for c in run eval tokenize inspect gen-model bench; do
  expect_error 2 $c --foo
  grep -qF "lfmrt: $c: unknown option '--foo' (see 'lfmrt $c --help')" "$T/err" || fail "$c --foo: message '$(cat "$T/err")'"
done
expect_error 2 run
expect_error 2 run -m
grep -q "needs a value" "$T/err" || fail "missing value message"
expect_error 2 run -m x.gguf
expect_error 2 run -m x.gguf -p hi -n abc
grep -q "expects an integer, got 'abc'" "$T/err" || fail "bad number message"
expect_error 2 run -m x.gguf -p hi --temp -1
expect_error 2 run -m x.gguf -p hi --top-p 1.5
expect_error 2 run -m x.gguf -p hi --temp 0.5x
expect_error 2 run -m x.gguf -p hi --chat
expect_error 2 run -m x.gguf -p hi --json=yes
expect_error 2 run -m x.gguf -p hi extra
expect_error 2 run -m x.gguf -p hi --kv-type q4
expect_error 2 eval -m x.gguf
expect_error 2 eval -m x.gguf --tokens 1,2 --text hi
expect_error 2 eval -m x.gguf --tokens 1,x
expect_error 2 eval -m x.gguf --tokens 1 --kv-type f64
expect_error 2 eval -m x.gguf --tokens 1 --top-k -3
expect_error 2 tokenize -m x.gguf
expect_error 2 bench
expect_error 2 bench -m x.gguf -r 0
expect_error 2 bench -m x.gguf --ctx 1,zero
expect_error 2 tokenize --text hi
expect_error 2 inspect
expect_error 2 inspect a.gguf b.gguf
expect_error 2 gen-model --preset tiny
expect_error 2 gen-model --preset nosuch -o "$T/x.gguf"
grep -q "unknown preset 'nosuch'" "$T/err" || fail "unknown preset message"
expect_error 2 gen-model --type q5_9 -o "$T/x.gguf"
expect_error 2 gen-model --arch gpt9 -o "$T/x.gguf"
expect_error 2 gen-model --attn-layers 1,99 -o "$T/x.gguf"
[ ! -e "$T/x.gguf" ] || fail "gen-model left a file after a usage error"

# bad model files: missing, empty, garbage, directory, truncated GGUF
: >"$T/empty.gguf"
head -c 4096 /dev/urandom >"$T/garbage.gguf"
printf 'GGUF\003\000\000\000\377\377\377\377\377\377\377\377' >"$T/trunc.gguf"
for f in "$T/missing.gguf" "$T/empty.gguf" "$T/garbage.gguf" "$T" "$T/trunc.gguf"; do
  expect_error 1 inspect "$f"
  expect_error 1 run -m "$f" -p hi -n 1
  expect_error 1 eval -m "$f" --tokens 1
  expect_error 1 tokenize -m "$f" --text hi
  expect_error 1 bench -m "$f" -p 4 -n 1 -r 1
done
expect_error 1 run -m "$T/missing.gguf" -p hi
grep -qF "missing.gguf': No such file or directory" "$T/err" || fail "missing file message '$(cat "$T/err")'"
expect_error 1 inspect "$T/empty.gguf"
grep -q "empty.gguf" "$T/err" || fail "empty file message does not name the file"
expect_error 1 tokenize -m "$T/empty.gguf" --text-file "$T/nonexistent.txt"
done_ok
