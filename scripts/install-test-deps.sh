#!/usr/bin/env bash
# Installs the Debian packages the tests run for real, only when one is missing.
# Used by `npm test` and by .ci/run. Needs root or sudo on a Debian/Ubuntu machine.
set -euo pipefail

PACKAGES=(redis-server redis-tools prometheus prometheus-redis-exporter prometheus-alertmanager nginx openssl age chromium)
BINARIES=(redis-server redis-cli promtool prometheus-redis-exporter amtool nginx openssl age chromium)

missing=()
for i in "${!BINARIES[@]}"; do
  if ! command -v "${BINARIES[$i]}" >/dev/null 2>&1 && [ ! -x "/usr/bin/${BINARIES[$i]}" ] && [ ! -x "/usr/sbin/${BINARIES[$i]}" ]; then
    missing+=("${PACKAGES[$i]}")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "redoubt tests: all needed Debian packages are installed (${PACKAGES[*]})"
  exit 0
fi

echo "redoubt tests: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "redoubt tests: not root and no sudo; install them yourself: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "redoubt tests: apt-get not found; install these packages: ${missing[*]}" >&2
  exit 1
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's packages start their services; the tests start their own on free ports, so stop those.
for svc in redis-server prometheus prometheus-redis-exporter prometheus-alertmanager nginx; do
  $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
echo "redoubt tests: installed ${missing[*]}"
