#!/usr/bin/env bash
# bench/write_path.sh: what pleat's dual-write machinery costs an application's
# writes (issue 18), before and after that issue's changes, in one run.
# Starts a throwaway server, builds pleat if needed, prints ratios against the
# same statement with no trigger, and writes bench/results/write_path-<date>.tsv.
# Not a test: nothing here runs under ctest. Method: bench/README.md, "Issue 18".
#
#   bench/write_path.sh [--rows N] [--repeat R] [--seconds S] [--clients C]
#                       [--build-dir DIR] [--server-include DIR] [--unsafe] [--tps-only]
# --rows: table size (1000000); --repeat: rounds, medians reported (3);
# --seconds: each pgbench run (10); --clients: pgbench clients (4);
# --build-dir: where pleat is built (build/); --server-include: PostgreSQL
# server headers for the C triggers of bench/c/ (default: pg_config's, then
# /usr/include/postgresql/<major>/server; without them those rows are skipped);
# --unsafe: fsync and synchronous_commit off; --tps-only: only the pgbench part.
# About 12 minutes at the defaults on a quiet 2-core machine.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
ROWS=1000000
REPEAT=3
SECONDS_PER_RUN=10
CLIENTS=4
BUILD_DIR="$REPO/build"
SERVER_INCLUDE=""
UNSAFE=""
MIG="$BENCH/migrations/01_add_ab.yaml"
VIEW=public_01_add_ab.t

usage() {
  sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --server-include) SERVER_INCLUDE=$2; shift 2 ;;
    --unsafe) UNSAFE=unsafe; shift ;;
    --tps-only) TPS_ONLY=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench/write_path.sh: unknown argument \"$1\"; see --help" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d /tmp/pleat-write-path.XXXXXX)
chmod 755 "$WORK"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
BENCH_PGDIR=""
cleanup() {
  [ -n "$BENCH_PGDIR" ] && "$BENCH/pg.sh" stop "$BENCH_PGDIR"
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$@"; }
url() { echo "postgresql://postgres@/$1?host=$BENCH_PGHOST&port=$BENCH_PGPORT"; }
copy_db() { q postgres -c "CREATE DATABASE $2 TEMPLATE $1"; }
drop_db() { q postgres -c "DROP DATABASE IF EXISTS $1"; }
settle() { q "$1" -c "VACUUM t" -c "CHECKPOINT"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# record KIND VARIANT VALUE: one run's number (seconds or TPS).
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; }
runs() { awk -F'\t' -v k="$1" -v v="$2" '$1 == k && $2 == v { print $3 }' "$RESULTS"; }

build_pleat() {
  local type=()
  [ -f "$BUILD_DIR/build.ninja" ] || type=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  log "building pleat in $BUILD_DIR"
  cmake -S "$REPO" -B "$BUILD_DIR" "${type[@]}" >"$WORK/cmake.log" || { cat "$WORK/cmake.log" >&2; exit 1; }
  ninja -C "$BUILD_DIR" -j2 pleat >"$WORK/ninja.log" || { cat "$WORK/ninja.log" >&2; exit 1; }
  cp "$BUILD_DIR/pleat" "$WORK/pleat"  # a rebuild during the run cannot change what is measured
  COMMIT="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  [ -z "$(git -C "$REPO" status --porcelain -- src 2>/dev/null)" ] || COMMIT+="+changes"
  PLEAT="$WORK/pleat"
}

# build_c_triggers: bench/c/write_trigger.c as $WORK/write_trigger.so, if server headers are found.
build_c_triggers() {
  local major inc=$SERVER_INCLUDE
  major=$(q postgres -c "SELECT current_setting('server_version_num')::int / 10000")
  if [ -z "$inc" ] && command -v pg_config >/dev/null; then inc=$(pg_config --includedir-server 2>/dev/null || true); fi
  [ -n "$inc" ] && [ -f "$inc/postgres.h" ] || inc=/usr/include/postgresql/$major/server
  if [ ! -f "$inc/postgres.h" ]; then
    log "no PostgreSQL server headers (postgresql-server-dev-$major, or --server-include): C trigger rows skipped"
    return
  fi
  cc -O2 -fPIC -shared -I"$inc" -o "$WORK/write_trigger.so" "$BENCH/c/write_trigger.c" 2>"$WORK/cc.log" ||
    { log "bench/c/write_trigger.c did not build against $inc (see below): C trigger rows skipped"; cat "$WORK/cc.log" >&2; return; }
  chmod 755 "$WORK/write_trigger.so"
  C_TRIGGERS=1
}

# setup_sql VARIANT: the untimed SQL that makes a copy of the variant's template what is measured.
setup_sql() {
  local so="$WORK/write_trigger.so" trig="CREATE TRIGGER bench BEFORE UPDATE OF a, b ON t FOR EACH ROW EXECUTE FUNCTION"
  case $1 in
    plpgsql_empty) echo "$(cat "$BENCH/sql/attribution.sql"); $trig attr_empty()" ;;
    plpgsql_assign) echo "$(cat "$BENCH/sql/attribution.sql"); $trig attr_assign()" ;;
    c_builtin) echo "$trig pg_catalog.suppress_redundant_updates_trigger()" ;;
    c_empty) echo "CREATE FUNCTION bench_c_empty() RETURNS trigger LANGUAGE c AS '$so', 'bench_c_empty'; $trig bench_c_empty()" ;;
    c_ab) echo "CREATE FUNCTION bench_c_ab() RETURNS trigger LANGUAGE c AS '$so', 'bench_c_ab'; $trig bench_c_ab()" ;;
  esac
}

template() {
  case $1 in
    pleat_*) echo bench_active ;;
    before_*) echo bench_before ;;
    *) echo bench_done ;;
  esac
}

# bulk_once VARIANT: one `UPDATE ... SET a = a + 1` of every row on a fresh copy; prints seconds.
bulk_once() {
  local variant=$1 target=t setup t0 t1
  case $variant in *_new) target=$VIEW ;; esac
  copy_db "$(template "$variant")" bench_bulk
  setup=$(setup_sql "$variant")
  [ -n "$setup" ] && q bench_bulk -c "$setup" >/dev/null
  q postgres -c "CHECKPOINT"
  t0=$EPOCHREALTIME
  q bench_bulk -c "UPDATE $target SET a = a + 1" >/dev/null
  t1=$EPOCHREALTIME
  if [ "$variant" != none ] && [ "$variant" != plpgsql_empty ] && [ "$variant" != c_builtin ] && [ "$variant" != c_empty ] &&
     [ "$variant" != pleat_new ] && [ "$variant" != before_new ]; then
    local bad
    bad=$(q bench_bulk -c "SELECT count(*) FROM t WHERE ab IS DISTINCT FROM b || '-' || a")
    [ "$bad" = 0 ] || { echo "bench/write_path.sh: $variant left $bad rows with a wrong ab" >&2; exit 1; }
  fi
  drop_db bench_bulk
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# tps_once VARIANT: pgbench's app script (sql/app.pgbench) on a fresh copy; prints TPS.
tps_once() {
  local variant=$1 out="$WORK/tps.out" options=""
  case $variant in *_new) options="-c search_path=public_01_add_ab" ;; esac
  copy_db "$(template "$variant")" bench_tps
  q postgres -c "CHECKPOINT"
  PGOPTIONS="$options" pgbench -n -M prepared -c "$CLIENTS" -j 2 -D rows="$ROWS" -f "$BENCH/sql/app.pgbench" \
    -T "$SECONDS_PER_RUN" bench_tps >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
  drop_db bench_tps
  awk '/^tps = / { print $3 }' "$out"
}

make_templates() {
  log "bench_seed: $ROWS rows; bench_active: pleat start; bench_before: the same with the write path of before issue 18"
  q postgres -c "CREATE DATABASE bench_seed"
  q bench_seed -v rows="$ROWS" -f "$BENCH/sql/setup.sql" >/dev/null
  copy_db bench_seed bench_active
  "$PLEAT" --url "$(url bench_active)" start "$MIG" >/dev/null 2>"$WORK/start.log" || { cat "$WORK/start.log" >&2; exit 1; }
  settle bench_active
  copy_db bench_active bench_before
  q bench_before -f "$BENCH/sql/write_path_before.sql" >/dev/null
  settle bench_before
  log "bench_done: the same after pleat complete (no trigger, no marker default, same row layout)"
  copy_db bench_active bench_done
  "$PLEAT" --url "$(url bench_done)" complete >/dev/null 2>"$WORK/complete.log" || { cat "$WORK/complete.log" >&2; exit 1; }
  settle bench_done
}

# ratio KIND VARIANT: the variant's median over the no-trigger median (TPS: variant / none; time: the same).
ratio() { awk -v a="$(median $(runs "$1" "$2"))" -v b="$(median $(runs "$1" none))" 'BEGIN { printf "%.2f", a / b }'; }

report() {
  local v
  [ ${#BULK[@]} -gt 0 ] && printf '\n%-16s %-44s %8s %7s   %s\n' "bulk UPDATE" "(UPDATE t SET a = a + 1, $ROWS rows)" "median s" "ratio" "runs"
  for v in "${BULK[@]}"; do
    # shellcheck disable=SC2046
    printf '%-16s %-44s %8s %6sx   %s\n' "$v" "${LABEL[$v]}" "$(median $(runs bulk "$v"))" "$(ratio bulk "$v")" \
      "$(runs bulk "$v" | tr '\n' ' ')"
  done
  printf '\n%-16s %-44s %8s %7s   %s\n' "pgbench" "(sql/app.pgbench, ${CLIENTS} clients, ${SECONDS_PER_RUN}s)" "median" "ratio" "runs"
  for v in "${TPS[@]}"; do
    # shellcheck disable=SC2046
    printf '%-16s %-44s %8.0f %6sx   %s\n' "$v" "${LABEL[$v]}" "$(median $(runs tps "$v"))" "$(ratio tps "$v")" \
      "$(runs tps "$v" | tr '\n' ' ')"
  done
  printf '\nload average: %s at start, %s at end\n' "$LOAD0" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

main() {
  local r v out
  LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
  build_pleat
  eval "$("$BENCH/pg.sh" start $UNSAFE)"
  export PGHOST="$BENCH_PGHOST" PGPORT="$BENCH_PGPORT" PGUSER=postgres PATH="$BENCH_PGBIN:$PATH"
  build_c_triggers
  make_templates
  declare -gA LABEL=(
    [none]="no trigger (after complete)"
    [pleat_old]="pleat, old app on the table"
    [pleat_new]="pleat, new app through its view"
    [before_old]="before issue 18, old app"
    [before_new]="before issue 18, new app"
    [plpgsql_empty]="empty PL/pgSQL row trigger"
    [plpgsql_assign]="PL/pgSQL NEW.ab := b || '-' || a"
    [c_builtin]="suppress_redundant_updates_trigger (C)"
    [c_empty]="empty C row trigger (bench/c)"
    [c_ab]="C trigger computing ab (bench/c)")
  BULK=(none pleat_old pleat_new before_old before_new plpgsql_empty plpgsql_assign c_builtin)
  [ -n "${C_TRIGGERS:-}" ] && BULK+=(c_empty c_ab)
  [ -n "${TPS_ONLY:-}" ] && BULK=()
  TPS=(none pleat_old pleat_new before_old before_new)
  # The variants take turns within each round, so a change in the machine's load hits all alike.
  for ((r = 1; r <= REPEAT; r++)); do
    for v in "${BULK[@]}"; do
      log "bulk UPDATE, $v (round $r of $REPEAT)"
      record bulk "$v" "$(bulk_once "$v")"
    done
  done
  for ((r = 1; r <= REPEAT; r++)); do
    for v in "${TPS[@]}"; do
      log "pgbench, $v (round $r of $REPEAT, ${SECONDS_PER_RUN}s)"
      record tps "$v" "$(tps_once "$v")"
    done
  done
  report | tee "$WORK/report.txt"
  mkdir -p "$BENCH/results"
  out="$BENCH/results/write_path-$(date +%Y-%m-%dT%H%M%S).tsv"
  { printf '# rows=%s repeat=%s seconds=%s clients=%s commit=%s durability=%s\n' "$ROWS" "$REPEAT" "$SECONDS_PER_RUN" \
      "$CLIENTS" "$COMMIT" "${UNSAFE:-durable}"
    sed 's/^/# /' "$WORK/report.txt"
    cat "$RESULTS"; } >"$out"
  log "wrote $out"
}

main
