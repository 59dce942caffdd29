#!/usr/bin/env bash
# bench/run.sh: pleat's backfill and dual-write costs against PostgreSQL's own
# (issue 5, "Benchmarks"). Starts a throwaway server, builds pleat if needed,
# measures, prints a table and writes bench/results/<date>.json.
# Not a test: nothing here runs under ctest. Method: bench/README.md.
#
#   bench/run.sh [--rows N] [--repeat R] [--tps-repeat R] [--seconds S] [--clients C]
#                [--build-dir DIR] [--pleat FILE] [--unsafe] [--keep] [--backfill-only]
# --rows: table size (1000000); --repeat: runs of each timed statement, median
# reported (1); --tps-repeat: interleaved pgbench runs per variant (3) of
# --seconds each (15); --clients: pgbench clients (4); --build-dir: where pleat
# is built (build/); --pleat: measure this binary instead of building; --unsafe:
# fsync and synchronous_commit off; --keep: keep the work directory (logs,
# pgbench logs) for inspection; --backfill-only: only (1), (2) and (2d), e.g.
# to compare the rate per row at --rows 100000 and 10000000.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
ROWS=1000000
REPEAT=1
TPS_REPEAT=3
SECONDS_PER_RUN=15
CLIENTS=4
BUILD_DIR="$REPO/build"
UNSAFE=""
LOCK_TIMEOUT_MS=500
MIG="$BENCH/migrations/01_add_ab.yaml"
VERSION_SCHEMA=public_01_add_ab
EXPR="b || '-' || a"

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --tps-repeat) TPS_REPEAT=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --pleat) PLEAT_GIVEN=$2; shift 2 ;;
    --unsafe) UNSAFE=unsafe; shift ;;
    --keep) KEEP=1; shift ;;
    --backfill-only) BACKFILL_ONLY=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench/run.sh: unknown argument \"$1\"; see --help" >&2; exit 2 ;;
  esac
done

source "$BENCH/lib.sh"
source "$BENCH/measure.sh"
source "$BENCH/report.sh"

main() {
  build_pleat
  start_server
  record machine.nproc "$(nproc)"
  record machine.mem_total_kb "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
  record machine.server_version "\"$(q postgres -c 'SHOW server_version')\""
  record machine.loadavg "\"$(cut -d' ' -f1-3 /proc/loadavg)\""
  record settings.rows "$ROWS"
  record settings.repeat "$REPEAT"
  record settings.durability "\"${UNSAFE:-durable}\""
  record settings.pgbench_clients "$CLIENTS"
  record settings.pgbench_seconds "$SECONDS_PER_RUN"
  record settings.shared_buffers "\"$(q postgres -c 'SHOW shared_buffers')\""
  record settings.pleat_commit "\"$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)\""
  record settings.pleat_tree_changed_files "$(git -C "$REPO" status --porcelain -- src 2>/dev/null | wc -l)"
  record settings.tps_repeat "$TPS_REPEAT"
  make_seed
  measure_reference
  measure_pleat_backfill
  pleat_backfill_variant pleat_backfill_one_job "2d pleat backfill, --jobs 1" --jobs 1
  if [ -n "${BACKFILL_ONLY:-}" ]; then report_backfill; return; fi
  pleat_backfill_variant pleat_backfill_fixed "2c pleat backfill, fixed 1000-row batches" --backfill-batch-size 1000
  measure_touch_backfill
  measure_replay
  make_templates
  measure_bulk_updates
  measure_attribution
  measure_tps
  measure_latency
  report
}

main
