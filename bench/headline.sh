#!/usr/bin/env bash
# bench/headline.sh: plain DDL against pleat on one large table while an
# application writes to it (pgbench at a fixed rate): the longest an app
# transaction stalls, and the total time (issue 18). Starts a throwaway
# server, builds pleat if needed, prints the table, writes
# bench/results/headline-<date>.json. Method: bench/README.md, "Issue 18".
#
#   bench/headline.sh [--rows N] [--repeat R] [--rate TPS] [--clients C] [--cases LIST]
#                     [--build-dir DIR] [--pleat FILE] [--unsafe] [--keep]
# --rows: table size (10000000); --repeat: loaded runs of each change and
# method, median reported (3); --rate: the app's transactions per second (100);
# --clients: pgbench clients (4); --cases: which changes, of "type uuid
# computed default" (all); --build-dir: where pleat is built (build/);
# --pleat: measure this binary instead of building; --unsafe: fsync and
# synchronous_commit off; --keep: keep the work directory.
# Duration on this machine (2 cores, load average 20 from other builds): 23
# minutes at --rows 1000000; the default 10M takes about 10 times that.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
ROWS=10000000
REPEAT=3
RATE=100
CLIENTS=4
CASES="type uuid computed default"
BUILD_DIR="$REPO/build"
UNSAFE=""
LOCK_TIMEOUT_MS=500
EXPR="b || '-' || a"

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --pleat) PLEAT_GIVEN=$2; shift 2 ;;
    --unsafe) UNSAFE=unsafe; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench/headline.sh: unknown argument \"$1\"; see --help" >&2; exit 2 ;;
  esac
done

source "$BENCH/lib.sh"
source "$BENCH/measure.sh"  # pleat_cmd, pgbench_run, window_latencies, latency_json
source "$BENCH/report.sh"   # write_json

# The plain DDL of each change, as a migration tool would run it (one transaction).
plain_sql() {
  case $1 in
    type) echo "ALTER TABLE t ALTER COLUMN a TYPE bigint" ;;
    uuid) echo "ALTER TABLE t ADD COLUMN uid uuid NOT NULL DEFAULT gen_random_uuid()" ;;
    computed) echo "BEGIN; ALTER TABLE t ADD COLUMN ab text; UPDATE t SET ab = $EXPR; COMMIT" ;;
    default) echo "ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT 0" ;;
    *) echo "bench/headline.sh: unknown case \"$1\" (type, uuid, computed, default)" >&2; exit 2 ;;
  esac
}

# apply CASE METHOD DB: the change, by plain DDL or by pleat start + complete;
# prints the seconds it took.
apply() {
  local t0
  t0=$EPOCHREALTIME
  if [ "$2" = plain ]; then
    q "$3" -c "$(plain_sql "$1")" >/dev/null
  else
    pleat_cmd "$3" "$WORK/$1.start.log" start "$BENCH/migrations/headline_$1.yaml"
    pleat_cmd "$3" "$WORK/$1.complete.log" complete
  fi
  secs "$t0" "$EPOCHREALTIME"
}

# idle CASE METHOD: the change on a fresh copy with no app running.
idle() {
  local s
  copy_db bench_seed bench_h
  q postgres -c "CHECKPOINT"
  s=$(apply "$1" "$2" bench_h)
  drop_db bench_h
  echo "$s"
}

# loaded CASE METHOD IDLE_S R: the change on a fresh copy 5 s into a pgbench
# run at --rate, which goes on 5 s after it (its length is set from the idle
# run). Records the time and the latencies of the transactions that
# overlapped the change.
loaded() {
  local key="headline.$1.$2" dur pid tp t0 t1 s stats
  dur=$(awk -v s="$3" 'BEGIN { printf "%d", 12 + 3 * s }')
  copy_db bench_seed bench_h
  q postgres -c "CHECKPOINT"
  rm -f "$WORK"/lat.*
  tp=$EPOCHREALTIME
  # The app finds `t` through the migration's version schema once start made
  # it (app v2 deployed at once), the table before: complete drops the old
  # version, whose writers must be gone by then. Simple protocol, so each
  # statement looks the name up again.
  PGOPTIONS="-c search_path=public_headline_$1,public" \
    pgbench_run bench_h "$WORK/lat.out" -M simple -R "$RATE" -T "$dur" -l --log-prefix="$WORK/lat" &
  pid=$!
  BG_PIDS+=("$pid")
  sleep 5
  t0=$EPOCHREALTIME
  s=$(apply "$1" "$2" bench_h)
  t1=$EPOCHREALTIME
  wait "$pid"
  awk -v a="$t1" -v b="$tp" -v d="$dur" 'BEGIN { exit !(a > b + d) }' &&
    log "  WARNING: the change outlasted the app's run (${dur}s); its last seconds had no load"
  stats=$(window_stats "$t0" "$t1")
  drop_db bench_h
  record "$key.runs.$4.seconds" "$s"
  record "$key.runs.$4.latency" "$stats"
  printf '%s %s %s %s\n' "$s" "$(jq -r .service.max_ms <<<"$stats")" "$(jq -r .p99_ms <<<"$stats")" \
    "$(jq -r .count <<<"$stats")"
}

measure_case() {
  local c=$1 m r line
  declare -A idle_of=() secs_of=() stall_of=() p99_of=()
  for m in plain pleat; do
    log "$c, $m, idle (load average $(cut -d' ' -f1 /proc/loadavg))"
    idle_of[$m]=$(idle "$c" "$m")
    record "headline.$c.$m.idle_s" "${idle_of[$m]}"
  done
  for ((r = 1; r <= REPEAT; r++)); do
    for m in plain pleat; do  # taking turns: a change in the machine's load hits both
      log "$c, $m, under load, run $r of $REPEAT (load average $(cut -d' ' -f1 /proc/loadavg))"
      line=$(loaded "$c" "$m" "${idle_of[$m]}" "$r")
      secs_of[$m]+=" $(cut -d' ' -f1 <<<"$line")"
      stall_of[$m]+=" $(cut -d' ' -f2 <<<"$line")"
      p99_of[$m]+=" $(cut -d' ' -f3 <<<"$line")"
    done
  done
  for m in plain pleat; do
    # shellcheck disable=SC2086
    record "headline.$c.$m.seconds" "$(median ${secs_of[$m]})"
    # shellcheck disable=SC2086
    record "headline.$c.$m.stall_ms" "$(median ${stall_of[$m]})"
    # shellcheck disable=SC2086
    record "headline.$c.$m.p99_ms" "$(median ${p99_of[$m]})"
  done
}

describe() {
  case $1 in
    type) echo "int -> bigint (ALTER COLUMN ... TYPE bigint)" ;;
    uuid) echo "ADD COLUMN ... uuid NOT NULL DEFAULT gen_random_uuid()" ;;
    computed) echo "ADD COLUMN ab + UPDATE t SET ab = b || '-' || a" ;;
    default) echo "ADD COLUMN ... int NOT NULL DEFAULT 0 (no rewrite)" ;;
  esac
}

print_headline() {
  local c m
  echo
  echo "pleat headline: $ROWS rows, app at $RATE tps ($CLIENTS clients), $(nproc) cores," \
    "PostgreSQL $(get machine.server_version | tr -d '"'), ${UNSAFE:-durable} settings, median of $REPEAT," \
    "load average $(get machine.loadavg | tr -d '"')"
  echo "| change | method | time, idle | time, app running | pleat / plain | longest app transaction | app p99 |"
  echo "|---|---|---|---|---|---|---|"
  for c in $CASES; do
    for m in plain pleat; do
      printf '| %s | %s | %.1f s | %.1f s | %s | %.0f ms | %.0f ms |\n' "$([ "$m" = plain ] && describe "$c")" \
        "$([ "$m" = plain ] && echo "plain DDL" || echo "pleat start + complete")" \
        "$(get "headline.$c.$m.idle_s")" "$(get "headline.$c.$m.seconds")" \
        "$([ "$m" = pleat ] && calc "$(get "headline.$c.pleat.seconds") / $(get "headline.$c.plain.seconds")" 2 | sed 's/$/x/')" \
        "$(get "headline.$c.$m.stall_ms")" "$(get "headline.$c.$m.p99_ms")"
    done
  done
  echo "longest app transaction: its service time (begin to commit), the most any one waited;"
  echo "p99: from its scheduled start (-R), so queueing behind a busy CPU shows too."
  echo "results: $JSON_FILE"
}

main() {
  local c
  for c in $CASES; do plain_sql "$c" >/dev/null; done
  build_pleat
  start_server
  record machine.nproc "$(nproc)"
  record machine.server_version "\"$(q postgres -c 'SHOW server_version')\""
  record machine.loadavg "\"$(cut -d' ' -f1-3 /proc/loadavg)\""
  record settings.rows "$ROWS"
  record settings.repeat "$REPEAT"
  record settings.rate_tps "$RATE"
  record settings.pgbench_clients "$CLIENTS"
  record settings.durability "\"${UNSAFE:-durable}\""
  record settings.pleat_commit "\"$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)\""
  make_seed
  for c in $CASES; do measure_case "$c"; done
  write_json headline-
  print_headline
}

main
