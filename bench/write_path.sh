#!/usr/bin/env bash
# bench/write_path.sh: what pleat's dual-write machinery costs an application's
# writes (issue 18), before and after that issue's changes, in one run.
# Starts a throwaway server, builds pleat if needed, prints ratios against the
# same statement with no trigger, and writes bench/results/write_path-<date>.tsv.
# Besides wall time and TPS it reports the server's CPU time (the backends',
# read from the postmaster's reaped-children counters), which other work on a
# shared machine disturbs much less than wall time.
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
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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
# backends_cpu: CPU seconds of the server's exited backends so far (the postmaster's
# cutime + cstime); waits a little first, so the backends of a finished client are reaped.
backends_cpu() {
  sleep 0.5
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($16 + $17) / hz }' "/proc/$(head -1 "$BENCH_PGDIR/data/postmaster.pid")/stat"
}

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
    # The least pleat's layout can cost in PL/pgSQL: the same three triggers, all empty.
    plpgsql_floor) echo "$(cat "$BENCH/sql/attribution.sql"); $trig attr_empty();" \
      "CREATE TRIGGER bench_insert BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION attr_empty();" \
      "CREATE TRIGGER bench_statement BEFORE INSERT OR UPDATE OF a, b ON t FOR EACH STATEMENT EXECUTE FUNCTION attr_empty()" ;;
    # The least any PL/pgSQL sync can cost the old app: its two row triggers computing `up`, no
    # writer test, no statement trigger, no marker default.
    plpgsql_assign_floor) echo "$(cat "$BENCH/sql/attribution.sql"); $trig attr_assign();" \
      "CREATE TRIGGER bench_insert BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION attr_assign()" ;;
    # pleat's triggers, marker default and statement reset as they are, the row functions
    # reduced to computing `up` (no writer test): what the rest of pleat's protocol costs.
    pleat_untested_old) echo "CREATE OR REPLACE FUNCTION public._pleat_sync_t() RETURNS trigger LANGUAGE plpgsql" \
      "AS \$b\$ BEGIN NEW.ab := (NEW.b || '-' || NEW.a); RETURN NEW; END \$b\$;" \
      "CREATE OR REPLACE FUNCTION public._pleat_syncupd_t() RETURNS trigger LANGUAGE plpgsql" \
      "AS \$b\$ BEGIN NEW.ab := (NEW.b || '-' || NEW.a); RETURN NEW; END \$b\$" ;;
    # The same with statement_start emptied too: pleat's layout and marker default, and `up`.
    pleat_bare_old) echo "$(setup_sql pleat_untested_old);" \
      "CREATE OR REPLACE FUNCTION pleat.statement_start() RETURNS trigger LANGUAGE plpgsql" \
      "AS \$b\$ BEGIN RETURN NULL; END \$b\$" ;;
    c_empty) echo "CREATE FUNCTION bench_c_empty() RETURNS trigger LANGUAGE c AS '$so', 'bench_c_empty'; $trig bench_c_empty()" ;;
    c_ab) echo "CREATE FUNCTION bench_c_ab() RETURNS trigger LANGUAGE c AS '$so', 'bench_c_ab'; $trig bench_c_ab()" ;;
    # What the C trigger would buy an application (docs/architecture.md, "An optional C
    # trigger"): pleat's three triggers in C, the row ones computing `up`, no writer test.
    c_layout_floor) echo "$(setup_sql c_ab);" \
      "CREATE FUNCTION bench_c_empty() RETURNS trigger LANGUAGE c AS '$so', 'bench_c_empty';" \
      "CREATE TRIGGER bench_insert BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION bench_c_ab();" \
      "CREATE TRIGGER bench_statement BEFORE INSERT OR UPDATE OF a, b ON t FOR EACH STATEMENT EXECUTE FUNCTION bench_c_empty()" ;;
  esac
}

template() {
  case $1 in
    pleat_*) echo bench_active ;;
    before_*) echo bench_before ;;
    *) echo bench_done ;;
  esac
}

# bulk_once VARIANT: one `UPDATE ... SET a = a + 1` of every row on a fresh copy; records
# its wall seconds (bulk) and its backend's CPU seconds (bulk_cpu).
bulk_once() {
  local variant=$1 target=t setup t0 t1 c0 c1
  case $variant in *_new) target=$VIEW ;; esac
  copy_db "$(template "$variant")" bench_bulk
  setup=$(setup_sql "$variant")
  [ -n "$setup" ] && q bench_bulk -c "$setup" >/dev/null
  q postgres -c "CHECKPOINT"
  c0=$(backends_cpu)
  t0=$EPOCHREALTIME
  q bench_bulk -c "UPDATE $target SET a = a + 1" >/dev/null
  t1=$EPOCHREALTIME
  c1=$(backends_cpu)
  if [ "$variant" != none ] && [ "$variant" != plpgsql_empty ] && [ "$variant" != plpgsql_floor ] &&
     [ "$variant" != c_builtin ] && [ "$variant" != c_empty ] && [ "$variant" != pleat_new ] &&
     [ "$variant" != before_new ]; then
    local bad
    bad=$(q bench_bulk -c "SELECT count(*) FROM t WHERE ab IS DISTINCT FROM b || '-' || a")
    [ "$bad" = 0 ] || { echo "bench/write_path.sh: $variant left $bad rows with a wrong ab" >&2; exit 1; }
  fi
  drop_db bench_bulk
  record bulk "$variant" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
  record bulk_cpu "$variant" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')"
}

# tps_once VARIANT: pgbench's app script (sql/app.pgbench) on a fresh copy; records TPS
# (tps) and the backends' CPU microseconds per transaction (tx_cpu_us).
tps_once() {
  local variant=$1 out="$WORK/tps.out" options="" c0 c1
  case $variant in *_new) options="-c search_path=public_01_add_ab" ;; esac
  copy_db "$(template "$variant")" bench_tps
  local setup
  setup=$(setup_sql "$variant")
  [ -z "$setup" ] || q bench_tps -c "$setup" >/dev/null
  q postgres -c "CHECKPOINT"
  c0=$(backends_cpu)
  PGOPTIONS="$options" pgbench -n -M prepared -c "$CLIENTS" -j 2 -D rows="$ROWS" -f "$BENCH/sql/app.pgbench" \
    -T "$SECONDS_PER_RUN" bench_tps >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
  c1=$(backends_cpu)
  drop_db bench_tps
  record tps "$variant" "$(awk '/^tps = / { printf "%.0f", $3 }' "$out")"
  record tx_cpu_us "$variant" "$(awk -v a="$c0" -v b="$c1" '/actually processed/ { printf "%.1f", (b - a) * 1e6 / $NF }' "$out")"
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

# row KIND CPU-KIND VARIANT: one line of the report (medians, ratios, the runs).
row() {
  # shellcheck disable=SC2046
  printf '%-15s %-42s %8s %6sx %8s %6sx   %s\n' "$3" "${LABEL[$3]}" "$(median $(runs "$1" "$3"))" "$(ratio "$1" "$3")" \
    "$(median $(runs "$2" "$3"))" "$(ratio "$2" "$3")" "$(runs "$1" "$3" | tr '\n' ' ')"
}

report() {
  local v
  if [ ${#BULK[@]} -gt 0 ]; then
    printf '\nbulk UPDATE t SET a = a + 1, %s rows: wall s, ratio; backend CPU s, ratio; wall runs\n' "$ROWS"
    for v in "${BULK[@]}"; do row bulk bulk_cpu "$v"; done
  fi
  printf '\npgbench sql/app.pgbench, %s clients, %ss: TPS, ratio; CPU us per transaction, ratio; TPS runs\n' \
    "$CLIENTS" "$SECONDS_PER_RUN"
  for v in "${TPS[@]}"; do row tps tx_cpu_us "$v"; done
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
    [plpgsql_floor]="pleat's three triggers, empty PL/pgSQL"
    [pleat_untested_old]="pleat, old app, row functions without the writer test"
    [pleat_bare_old]="... and an empty statement_start"
    [plpgsql_assign_floor]="PL/pgSQL NEW.ab := up on UPDATE and INSERT, nothing else"
    [c_builtin]="suppress_redundant_updates_trigger (C)"
    [c_empty]="empty C row trigger (bench/c)"
    [c_ab]="C trigger computing ab (bench/c)"
    [c_layout_floor]="pleat's three triggers in C, computing ab")
  BULK=(none pleat_old pleat_new before_old before_new plpgsql_empty plpgsql_assign plpgsql_floor c_builtin)
  [ -n "${C_TRIGGERS:-}" ] && BULK+=(c_empty c_ab)
  [ -n "${TPS_ONLY:-}" ] && BULK=()
  TPS=(none pleat_old pleat_new before_old before_new plpgsql_floor plpgsql_assign_floor pleat_untested_old pleat_bare_old)
  [ -n "${C_TRIGGERS:-}" ] && TPS+=(c_layout_floor)
  # The variants take turns within each round, so a change in the machine's load hits all alike.
  for ((r = 1; r <= REPEAT; r++)); do
    for v in "${BULK[@]}"; do
      log "bulk UPDATE, $v (round $r of $REPEAT)"
      bulk_once "$v"
    done
  done
  for ((r = 1; r <= REPEAT; r++)); do
    for v in "${TPS[@]}"; do
      log "pgbench, $v (round $r of $REPEAT, ${SECONDS_PER_RUN}s)"
      tps_once "$v"
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
