#!/usr/bin/env bash
# Installs dependencies, builds pleat and runs `pleat demo`: a live expand/contract
# migration on a private PostgreSQL, with old and new app versions writing throughout.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target pleat
exec build/pleat demo "$@"
