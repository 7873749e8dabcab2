#!/usr/bin/env bash
# Installs what is missing, builds in Release and runs the main job on the built-in demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DJG_BUILD_TESTS=OFF -DJG_BUILD_BENCH=OFF > /dev/null
cmake --build build -j"$(nproc)" --target joulegraph
./build/joulegraph "$@"
