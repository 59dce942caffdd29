#!/usr/bin/env bash
# Installs dependencies, builds pleat and runs the whole test suite (ctest).
# Each test binary starts its own throwaway PostgreSQL; nothing needs to be running.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure "$@"
