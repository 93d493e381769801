# tests/cli/lib.sh - helpers for the CLI script tests (sourced). Usage in a test:
#   . "$(dirname "$0")/lib.sh" "$@"      # $1 = lfmrt binary, $2 = scratch directory
# Each check runs the binary with its output captured in $T/out and $T/err and fails the test with a
# message naming the command line.
BIN=$1
T=${2:-/tmp/lfmrt-cli-test}/$(basename "$0" .sh)
[ -x "$BIN" ] || { echo "FAIL: lfmrt binary '$BIN' not found" >&2; exit 1; }
rm -rf "$T" && mkdir -p "$T" || exit 1
N_CHECKS=0

fail() { echo "FAIL: $*" >&2; [ -s "$T/err" ] && sed 's/^/  stderr: /' "$T/err" | head -5 >&2; exit 1; }

# run_lfmrt ARGS...: runs, sets RC
run_lfmrt() {
  "$BIN" "$@" >"$T/out" 2>"$T/err" </dev/null
  RC=$?
  N_CHECKS=$((N_CHECKS + 1))
  [ $RC -lt 128 ] || fail "lfmrt $*: killed by signal $((RC - 128))"
}

# expect_error STATUS ARGS...: exit STATUS, exactly one stderr line starting "lfmrt: ", nothing on stdout
expect_error() {
  local want=$1; shift
  run_lfmrt "$@"
  [ $RC -eq "$want" ] || fail "lfmrt $*: exit $RC, want $want"
  [ "$(wc -l <"$T/err")" -eq 1 ] || fail "lfmrt $*: want one stderr line, got $(wc -l <"$T/err")"
  grep -q '^lfmrt: ' "$T/err" || fail "lfmrt $*: stderr does not start with 'lfmrt: '"
  [ ! -s "$T/out" ] || fail "lfmrt $*: wrote to stdout on error"
}

# expect_ok ARGS...: exit 0
expect_ok() {
  run_lfmrt "$@"
  [ $RC -eq 0 ] || fail "lfmrt $*: exit $RC, want 0"
}

# is_json FILE [JS-EXPRESSION over j]: FILE parses as JSON and the expression is true
have_node() { command -v node >/dev/null 2>&1; }
is_json() {
  local f=$1 expr=${2:-true}
  node -e '
    const fs = require("fs");
    const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    if (!('"$expr"')) { console.error("condition failed: " + process.argv[2]); process.exit(1); }
  ' "$f" "$expr" || fail "$f: not the expected JSON ($expr)"
}

done_ok() { echo "ok: $N_CHECKS checks"; exit 0; }
