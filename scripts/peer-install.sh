#!/usr/bin/env bash
# scripts/peer-install.sh [DIR] - install the llama.cpp reference peer (npm node-llama-cpp, exact pin)
# into DIR (default build/peer), cached: a second call with the package already there does nothing.
#
# Exit status: 0 installed (or already there); 77 when npm cannot install it (no registry, no npm):
# the parity tests that need the peer are then reported SKIPPED by ctest, never silently passed.
set -uo pipefail

VERSION=3.21.1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${1:-$ROOT/build/peer}
mkdir -p "$DIR" || { echo "peer-install: cannot create $DIR" >&2; exit 1; }
DIR=$(cd "$DIR" && pwd)

installed_version() {
  node -p "require('$DIR/node_modules/node-llama-cpp/package.json').version" 2>/dev/null
}

# cache hit: the pinned version and its prebuilt linux binaries are there
if [ "$(installed_version)" = "$VERSION" ] && [ -d "$DIR/node_modules/@node-llama-cpp" ]; then
  exit 0
fi

skip() {
  echo "" >&2
  echo "==============================================================================" >&2
  echo "SKIP: cannot reach npm: node-llama-cpp@$VERSION not installed into $DIR ($1)" >&2
  echo "      parity tests against llama.cpp are SKIPPED, not passed" >&2
  echo "==============================================================================" >&2
  exit 77
}

command -v node >/dev/null 2>&1 || skip "node not found"
command -v npm >/dev/null 2>&1 || skip "npm not found"

# serialize concurrent installs into the same folder (parallel ctest runs)
exec 9>"$DIR/.install.lock"
flock 9 2>/dev/null || true
if [ "$(installed_version)" = "$VERSION" ] && [ -d "$DIR/node_modules/@node-llama-cpp" ]; then
  exit 0
fi

log="$DIR/npm-install.log"
[ -f "$DIR/package.json" ] || echo '{"name":"lfmrt-peer","private":true,"version":"0.0.0"}' > "$DIR/package.json"
echo "peer-install: npm i -E node-llama-cpp@$VERSION into $DIR" >&2
if ! (cd "$DIR" && timeout 600 npm install --no-audit --no-fund --loglevel=error -E "node-llama-cpp@$VERSION") >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  skip "npm install failed, see $log"
fi
if [ "$(installed_version)" != "$VERSION" ]; then
  skip "installed version is '$(installed_version)'"
fi
echo "peer-install: ok ($DIR)" >&2
exit 0
