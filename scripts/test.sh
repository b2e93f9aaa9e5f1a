#!/usr/bin/env bash
# The one test command (README and .ci/run): installs missing Debian packages, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
if [ ! -d node_modules ]; then
  echo "redoubt tests: installing npm dependencies (npm ci)"
  npm ci
fi
node scripts/build.mjs
shopt -s globstar nullglob
files=(test/architecture/*.test.ts test/unit/**/*.test.ts test/integration/**/*.test.ts test/e2e/**/*.test.ts)
if [ $# -gt 0 ]; then files=("$@"); fi
echo "redoubt tests: running ${#files[@]} test files"
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
