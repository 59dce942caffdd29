#!/usr/bin/env bash
# Installs dependencies, builds pleat and runs the whole test suite (ctest).
# Each test binary starts its own throwaway PostgreSQL; nothing needs to be running.
# PLEAT_PG_VERSIONS="16 17 18" also runs the operation, engine and conformance tests on
# those PostgreSQL versions (fetched by scripts/install-pg-versions.sh; CI sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
extra=""
if [ -n "${PLEAT_PG_VERSIONS:-}" ]; then
  # shellcheck disable=SC2086
  if ! servers=$(scripts/install-pg-versions.sh $PLEAT_PG_VERSIONS); then
    echo "WARNING: could not fetch PostgreSQL $PLEAT_PG_VERSIONS; testing on the Debian server only" >&2
  fi
  extra=$(echo "${servers:-}" | awk 'NF == 2 { printf "%s%s=%s", sep, $1, $2; sep = ";" }')
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DPLEAT_EXTRA_PG_BINS=$extra" >/dev/null
cmake --build build
# Two at a time: each test binary runs its own server, and the machine has two cores.
ctest --test-dir build --output-on-failure --parallel 2 "$@"
