# shellcheck shell=bash
# bench/lib.sh: what bench/run.sh and bench/headline.sh share (sourced after
# their options are parsed): the work directory and its cleanup, the results
# file, building pleat, the throwaway server (bench/pg.sh), psql helpers and
# the seed table. Uses BENCH, REPO, BUILD_DIR, UNSAFE, ROWS, EXPR; sets WORK,
# RESULTS, PLEAT, BG_PIDS. PLEAT_GIVEN (--pleat) skips the build.

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
  if [ -n "${PLEAT_GIVEN:-}" ]; then  # --pleat FILE: that binary, e.g. a build of an older commit
    cp "$PLEAT_GIVEN" "$WORK/pleat"
    PLEAT="$WORK/pleat"
    return
  fi
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

