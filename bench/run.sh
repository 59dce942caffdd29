#!/usr/bin/env bash
# bench/run.sh: pleat's backfill and dual-write costs against PostgreSQL's own
# (issue 5, "Benchmarks"). Starts a throwaway server, builds pleat if needed,
# measures, prints a table and writes bench/results/<date>.json.
# Not a test: nothing here runs under ctest. Method: bench/README.md.
#
#   bench/run.sh [--rows N] [--repeat R] [--tps-repeat R] [--seconds S] [--clients C]
#                [--build-dir DIR] [--unsafe] [--keep] [--backfill-only]
# --rows: table size (1000000); --repeat: runs of each timed statement, median
# reported (1); --tps-repeat: interleaved pgbench runs per variant (3) of
# --seconds each (15); --clients: pgbench clients (4); --build-dir: where pleat
# is built (build/); --unsafe: fsync and synchronous_commit off; --keep: keep
# the work directory (logs, pgbench logs) for inspection; --backfill-only: only
# (1), (2) and (2d), e.g. to compare the rate per row at --rows 100000 and 10000000.
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
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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
    --unsafe) UNSAFE=unsafe; shift ;;
    --keep) KEEP=1; shift ;;
    --backfill-only) BACKFILL_ONLY=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench/run.sh: unknown argument \"$1\"; see --help" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d /tmp/pleat-bench.XXXXXX)
chmod 755 "$WORK"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
BENCH_PGDIR=""
BG_PIDS=()

cleanup() {
  local pid
  for pid in "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$BENCH_PGDIR" ] && "$BENCH/pg.sh" stop "$BENCH_PGDIR"
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# record KEY JSON-VALUE: one result; KEY is a dotted path in the JSON file.
record() { printf '%s\t%s\n' "$1" "$2" >>"$RESULTS"; }
# secs T0 T1: elapsed seconds between two $EPOCHREALTIME values.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }

# --- server, build ----------------------------------------------------------

build_pleat() {
  local type=()
  [ -f "$BUILD_DIR/build.ninja" ] || type=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  log "building pleat in $BUILD_DIR"
  # Configure every time: CMake globs the sources, and new files need a re-glob.
  cmake -S "$REPO" -B "$BUILD_DIR" "${type[@]}" >"$WORK/cmake.log" || { cat "$WORK/cmake.log" >&2; exit 1; }
  ninja -C "$BUILD_DIR" -j2 pleat >"$WORK/ninja.log" || { cat "$WORK/ninja.log" >&2; exit 1; }
  # A private copy: a rebuild of the tree during the run cannot change what is measured.
  cp "$BUILD_DIR/pleat" "$WORK/pleat"
  PLEAT="$WORK/pleat"
}

start_server() {
  eval "$("$BENCH/pg.sh" start $UNSAFE)"
  export PGHOST="$BENCH_PGHOST" PGPORT="$BENCH_PGPORT" PGUSER=postgres
  export PATH="$BENCH_PGBIN:$PATH"
  q postgres -c "CREATE EXTENSION pg_stat_statements"
}

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$@"; }
url() { echo "postgresql://postgres@/$1?host=$BENCH_PGHOST&port=$BENCH_PGPORT"; }
copy_db() { q postgres -c "CREATE DATABASE $2 TEMPLATE $1"; }
drop_db() { q postgres -c "DROP DATABASE IF EXISTS $1"; }
settle() { q "$1" -c "VACUUM t" -c "CHECKPOINT"; }
# timed DB SQL: runs SQL in DB and prints the seconds it took.
timed() {
  local t0 t1
  q postgres -c "CHECKPOINT"
  t0=$EPOCHREALTIME
  q "$1" -c "$2" >/dev/null
  t1=$EPOCHREALTIME
  secs "$t0" "$t1"
}
check_filled() {
  local bad
  bad=$(q "$1" -c "SELECT count(*) FROM t WHERE ab IS DISTINCT FROM $EXPR")
  [ "$bad" = 0 ] || { echo "bench/run.sh: $2 left $bad rows of $1 with a wrong ab" >&2; exit 1; }
}

make_seed() {
  log "creating bench_seed: $ROWS rows"
  q postgres -c "CREATE DATABASE bench_seed"
  q bench_seed -v rows="$ROWS" -f "$BENCH/sql/setup.sql" >/dev/null
  record seed.table_bytes "$(q bench_seed -c "SELECT pg_table_size('t')")"
}

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
