#!/usr/bin/env bash
# scripts/setup.sh - install what a fresh Debian 12 machine needs to build and test lfmrt.
#
# Idempotent and quiet: when every package is already installed, apt is not touched at all.
# Runs as root, or through sudo when not root. Node.js: the machine's own node is kept when it is
# >= 18 (Debian's nodejs/npm are only installed when node is missing or too old).
# `--arm` also installs the aarch64 target libraries for the cross build (scripts/test-arm.sh):
# Debian multiarch (`dpkg --add-architecture arm64`) libcmocka-dev:arm64 and libjansson-dev:arm64.
# Exit status: 0 on success, non-zero when a package cannot be installed.
set -euo pipefail

ARM=0
for a in "$@"; do
  case "$a" in
    --arm) ARM=1 ;;
    *) echo "usage: setup.sh [--arm]" >&2; exit 2 ;;
  esac
done

PKGS=(
  build-essential cmake clang clang-14 libclang-rt-14-dev pkg-config git
  libcmocka-dev libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libyaml-dev libsqlite3-dev
  unicode-data
  # ARM builds checked under emulation (cross compiler + user-mode qemu)
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
)

node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || return 1
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || return 1
  [ "${major:-0}" -ge 18 ]
}
node_ok || PKGS+=(nodejs npm)
if [ "$ARM" -eq 1 ]; then PKGS+=(libcmocka-dev:arm64 libjansson-dev:arm64); fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "setup: not root and no sudo; please install: ${missing[*]}" >&2; exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ "$ARM" -eq 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  "${SUDO[@]}" dpkg --add-architecture arm64
fi
if ! { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
       "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: apt-get failed" >&2
  exit 1
fi
echo "setup: done"
