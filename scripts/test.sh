#!/usr/bin/env bash
# Installs what is missing, builds everything with warnings as errors, runs the whole suite.
# JG_SANITIZE=address,undefined scripts/test.sh builds the ASan/UBSan configuration instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dir=build
args=(-DCMAKE_BUILD_TYPE=Release -DJG_WERROR=ON)
if [ -n "${JG_SANITIZE:-}" ]; then
  dir=build-sanitize
  args=(-DCMAKE_BUILD_TYPE=Debug -DJG_WERROR=ON -DJG_SANITIZE="$JG_SANITIZE" -DJG_BUILD_BENCH=OFF)
fi
cmake -S . -B "$dir" "${args[@]}" > /dev/null
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" -j"$(nproc)" --output-on-failure
