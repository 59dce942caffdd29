#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS]: builds the libFuzzer targets with clang in
# build-fuzz/ (-DPLEAT_FUZZ=ON), makes the seed corpus from pgroll's example
# migrations (../shared/conformance/pgroll-examples, when present) and
# examples/contracts, then runs each target for SECONDS (default 300). Inputs
# that crash land in build-fuzz/findings/; see docs/fuzzing.md.
set -euo pipefail
seconds=${1:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PLEAT_FUZZ_BUILD:-$root/build-fuzz}
command -v clang++ >/dev/null || { echo "clang++ not found: PLEAT_FUZZ=1 scripts/install-deps.sh" >&2; exit 2; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLEAT_FUZZ=ON \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang "${launcher[@]}" >/dev/null
cmake --build "$build" --target fuzz_loader fuzz_expression fuzz_seeds

seeds=("$root"/examples/contracts/*.yaml)
pgroll=$root/../shared/conformance/pgroll-examples
[ -d "$pgroll" ] && seeds+=("$pgroll"/*)
for t in loader expression; do mkdir -p "$build/corpus/$t" "$build/seeds/$t"; done
mkdir -p "$build/findings"
"$build/fuzz/fuzz_seeds" "$build/seeds/loader" "$build/seeds/expression" "${seeds[@]}"

# Found inputs kept as regression tests are seeds too.
regressions=$root/tests/migration/fuzz_regressions
for t in loader expression; do
  found=()
  [ -d "$regressions/$t" ] && found=("$regressions/$t")
  (cd "$build/findings" &&
    "$build/fuzz/fuzz_$t" "$build/corpus/$t" "$build/seeds/$t" "${found[@]}" -max_total_time="$seconds" \
      -max_len=4096 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$build/findings/$t-" -print_final_stats=1 \
      2>&1 | tee "$build/findings/$t.log" | grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|ERROR|SUMMARY|stat::' || true)
done
ls "$build/findings" | grep -v '\.log$' || echo "no findings"
