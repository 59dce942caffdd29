# shellcheck shell=bash
# bench/measure.sh: the measurements of bench/run.sh (sourced by it; uses its
# helpers q, timed, record, copy_db, ...). Each measurement runs on a fresh copy
# (CREATE DATABASE ... TEMPLATE) of the same packed, frozen table, after a
# CHECKPOINT, so no step inherits another's dead tuples or dirty buffers.

get() { awk -F'\t' -v k="$1" '$1 == k { v = $2 } END { print v }' "$RESULTS"; }

# stamp: prefixes every line of stdin with the wall-clock time it arrived.
stamp() { local line; while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# pleat_cmd DB LOGFILE ARGS...: runs pleat on DB, its stderr time-stamped into LOGFILE,
# its peak RSS (kB) into LOGFILE.rss.
pleat_cmd() {
  local db=$1 logfile=$2
  shift 2
  { /usr/bin/time -f '%M' -o "$logfile.rss" "$PLEAT" --url "$(url "$db")" --lock-timeout "${LOCK_TIMEOUT_MS}ms" \
      "$@" 2>&1 >"$logfile.out" | stamp >"$logfile"; } || { cat "$logfile" >&2; exit 1; }
}

# 1. The physical reference: one UPDATE over the whole table, no trigger.
measure_reference() {
  local r s a runs=() alters=()
  for ((r = 1; r <= REPEAT; r++)); do
    log "1 reference UPDATE (run $r of $REPEAT)"
    copy_db bench_seed bench_ref
    a=$(timed bench_ref "ALTER TABLE t ADD COLUMN ab text")
    s=$(timed bench_ref "UPDATE t SET ab = $EXPR")
    check_filled bench_ref "the reference UPDATE"
    drop_db bench_ref
    runs+=("$s"); alters+=("$(calc "$a + $s")")
  done
  record reference.runs_s "[$(IFS=,; echo "${runs[*]}")]"
  record reference.seconds "$(median "${runs[@]}")"
  record reference.with_alter_runs_s "[$(IFS=,; echo "${alters[*]}")]"
  record reference.with_alter_s "$(median "${alters[@]}")"
}

# 2. pleat start on the same table; the backfill is timed from pleat's own log
# lines ("backfilling" .. the last "backfilled"). The first run's database
# stays as bench_active, the template of the "migration active" measurements.
measure_pleat_backfill() {
  local r db logf s t0 total runs=() totals=() wholes=()
  for ((r = 1; r <= REPEAT; r++)); do
    log "2 pleat backfill (run $r of $REPEAT)"
    db=bench_pleat; [ "$r" = 1 ] && db=bench_active
    copy_db bench_seed "$db"
    q postgres -c "CHECKPOINT" -c "SELECT pg_stat_statements_reset()" >/dev/null
    logf="$WORK/start.$r.log"
    t0=$EPOCHREALTIME
    pleat_cmd "$db" "$logf" start "$MIG"
    wholes+=("$(secs "$t0" "$EPOCHREALTIME")")
    s=$(backfill_seconds "$logf")
    total=$(awk 'NR == 1 { s = $1 } { e = $1 } END { printf "%.3f", e - s }' "$logf")
    check_filled "$db" "pleat's backfill"
    [ "$r" = 1 ] && backfill_breakdown "$db"
    [ "$r" = 1 ] || drop_db "$db"
    runs+=("$s"); totals+=("$total")
    record pleat_backfill.max_rss_kb "$(tail -1 "$logf.rss")"
  done
  record pleat_backfill.runs_s "[$(IFS=,; echo "${runs[*]}")]"
  record pleat_backfill.seconds "$(median "${runs[@]}")"
  record pleat_backfill.start_total_s "$(median "${totals[@]}")"
  record pleat_backfill.whole_start_runs_s "[$(IFS=,; echo "${wholes[*]}")]"
  record pleat_backfill.whole_start_s "$(median "${wholes[@]}")"
}

# backfill_seconds LOGFILE: from pleat's first `splitting "t"` or `backfilling [part N of ]"t"`
# line to its last `backfilled [part N of ]"t"` line (with --jobs > 1 the table is split
# into key ranges that workers backfill at once; the split's sampling is counted).
backfill_seconds() {
  awk '!s && /(splitting|backfilling( part [0-9]+ of)?) "t"/ { s = $1 }
       /backfilled( part [0-9]+ of)? "t"/ { e = $1 } END { printf "%.3f", e - s }' "$1"
}

# pleat_backfill_variant KEY LABEL PLEAT-ARGS...: pleat start with other flags
# on a fresh copy; records KEY.seconds (the backfill, as in 2).
#  2c: fixed 1000-row batches (`--backfill-batch-size 1000`), the backfill as it
#      was before batches were sized toward a time target (before/after).
#  2d: `--jobs 1`: one worker, so the table is not split into key ranges.
pleat_backfill_variant() {
  local key=$1 label=$2 r logf t0 runs=() wholes=()
  shift 2
  for ((r = 1; r <= REPEAT; r++)); do
    log "$label (run $r of $REPEAT)"
    copy_db bench_seed bench_variant
    q postgres -c "CHECKPOINT" >/dev/null
    logf="$WORK/start_$key.$r.log"
    t0=$EPOCHREALTIME
    pleat_cmd bench_variant "$logf" start "$MIG" "$@"
    wholes+=("$(secs "$t0" "$EPOCHREALTIME")")
    check_filled bench_variant "$label"
    drop_db bench_variant
    runs+=("$(backfill_seconds "$logf")")
  done
  record "$key.runs_s" "[$(IFS=,; echo "${runs[*]}")]"
  record "$key.seconds" "$(median "${runs[@]}")"
  record "$key.whole_start_runs_s" "[$(IFS=,; echo "${wholes[*]}")]"
  record "$key.whole_start_s" "$(median "${wholes[@]}")"
}

# Where the backfill's time goes, by statement (pg_stat_statements, top level).
backfill_breakdown() {
  q postgres -c "SELECT coalesce(json_agg(x), '[]') FROM (
      SELECT calls, round(total_exec_time::numeric / 1000, 3) AS total_s,
             round(mean_exec_time::numeric, 3) AS mean_ms,
             left(regexp_replace(query, '\s+', ' ', 'g'), 120) AS query
      FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = '$1' ORDER BY total_exec_time DESC LIMIT 10) x" >"$WORK/breakdown.json"
  record pleat_backfill.statements "$(tr -d '\n' <"$WORK/breakdown.json")"
}

# 3. Trigger-touch (pgroll, Reshape): no-op UPDATE batches firing a PL/pgSQL trigger.
measure_touch_backfill() {
  local r s runs=()
  for ((r = 1; r <= REPEAT; r++)); do
    log "3 trigger-touch backfill (run $r of $REPEAT)"
    copy_db bench_seed bench_touch
    q bench_touch -c "ALTER TABLE t ADD COLUMN ab text" -f "$BENCH/sql/touch.sql"
    s=$(timed bench_touch "CALL touch_backfill(1000)")
    check_filled bench_touch "the trigger-touch backfill"
    drop_db bench_touch
    runs+=("$s")
  done
  record touch_backfill.runs_s "[$(IFS=,; echo "${runs[*]}")]"
  record touch_backfill.seconds "$(median "${runs[@]}")"
}

# bench_active: backfilled, migration active. bench_done: the same completed
# (no trigger, no marker default, same column and row layout). Both vacuumed.
make_templates() {
  log "templates: bench_active (migration active), bench_done (completed)"
  settle bench_active
  copy_db bench_active bench_done
  pleat_cmd bench_done "$WORK/complete.log" complete
  settle bench_done
}

# One bulk UPDATE on a fresh copy of TEMPLATE; SETUP runs (untimed) first.
bulk_once() {
  local template=$1 setup=$2 sql=$3
  copy_db "$template" bench_bulk
  [ -n "$setup" ] && q bench_bulk -c "$setup" >/dev/null
  timed bench_bulk "$sql"
  drop_db bench_bulk
}

# 4. Bulk UPDATE of a synced column (a, read by up) and of an unrelated one (c).
measure_bulk_updates() {
  local touch_setup variant column r runs template setup target sql
  touch_setup=$(cat "$BENCH/sql/touch.sql")
  for column in synced unrelated; do
    sql="UPDATE TARGET SET a = a + 1"; [ "$column" = unrelated ] && sql="UPDATE TARGET SET c = c + 1"
    for variant in none pleat pleat_new_view touch; do
      template=bench_done; setup=""; target=t
      case $variant in
        pleat) template=bench_active ;;
        pleat_new_view) template=bench_active; target="$VERSION_SCHEMA.t" ;;
        touch) setup=$touch_setup ;;
      esac
      runs=()
      for ((r = 1; r <= REPEAT; r++)); do
        log "4 bulk UPDATE of the $column column, $variant (run $r of $REPEAT)"
        runs+=("$(bulk_once "$template" "$setup" "${sql/TARGET/$target}")")
      done
      record "bulk_update.$column.$variant.runs_s" "[$(IFS=,; echo "${runs[*]}")]"
      record "bulk_update.$column.$variant.seconds" "$(median "${runs[@]}")"
    done
  done
}

# pgbench_run DB OUT [extra pgbench args...]: the app script against DB.
pgbench_run() {
  local db=$1 out=$2
  shift 2
  pgbench -n -M prepared -c "$CLIENTS" -j 2 -D rows="$ROWS" -f "$BENCH/sql/app.pgbench" "$@" "$db" >"$out" 2>&1 \
    || { cat "$out" >&2; exit 1; }
}

# 5a. TPS of the app script: no migration (bench_done), migration active with
# the old app on the table, and with the new app through the version schema.
# The variants take turns, so a change in the machine's load hits all alike.
tps_once() {
  local variant=$1 out=$2 template=bench_active
  [ "$variant" = none ] && template=bench_done
  copy_db "$template" bench_tps
  q postgres -c "CHECKPOINT"
  if [ "$variant" = pleat_new_app ]; then
    PGOPTIONS="-c search_path=$VERSION_SCHEMA" pgbench_run bench_tps "$out" -T "$SECONDS_PER_RUN"
  else
    pgbench_run bench_tps "$out" -T "$SECONDS_PER_RUN"
  fi
  drop_db bench_tps
  awk '/^tps = / { print $3 }' "$out"
}

measure_tps() {
  local variant r
  declare -A tps_runs=()
  for ((r = 1; r <= TPS_REPEAT; r++)); do
    for variant in none pleat pleat_new_app; do
      log "5 pgbench TPS, $variant (run $r of $TPS_REPEAT, ${SECONDS_PER_RUN}s)"
      tps_runs[$variant]+=" $(tps_once "$variant" "$WORK/tps.$variant.$r.out")"
    done
  done
  for variant in none pleat pleat_new_app; do
    # shellcheck disable=SC2086
    record "tps.$variant.tps_runs" "[$(echo ${tps_runs[$variant]} | tr ' ' ,)]"
    # shellcheck disable=SC2086
    record "tps.$variant.tps" "$(median ${tps_runs[$variant]})"
  done
}

# window_stats FROM TO: latency of every logged transaction that overlapped
# [FROM, TO] (epoch seconds) as JSON {count, p50_ms, p99_ms, max_ms,
# over_lock_timeout, service: {the same without the schedule lag}}. With -R a
# transaction's latency counts from its scheduled start, so it includes the
# time it queued behind earlier ones; the service time is from when it began
# to its commit, and is what a lock wait or a slow statement would lengthen.
window_stats() {
  local total service
  total=$(window_latencies "$1" "$2" total | latency_json)
  service=$(window_latencies "$1" "$2" service | latency_json)
  printf '%s\n' "${total%\}}, \"service\": $service}"
}

# window_latencies FROM TO total|service: one latency (ms) per line, sorted.
window_latencies() {
  cat "$WORK"/lat.* | awk -v w0="$1" -v w1="$2" -v kind="$3" '
    $3 ~ /^[0-9]+$/ { e = $5 + $6 / 1e6; s = e - $3 / 1e6
                      if (e >= w0 && s <= w1) printf "%.3f\n", ($3 - (kind == "service" ? $7 : 0)) / 1000 }' |
    sort -g
}

# latency_json: sorted latencies (ms) on stdin -> {count, p50_ms, p99_ms, max_ms, over_lock_timeout}.
latency_json() {
  awk -v lt="$LOCK_TIMEOUT_MS" '
    { v[NR] = $1; if ($1 > lt) over++ }
    END {
      if (NR == 0) { print "{\"count\": 0}"; exit }
      i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
      i99 = int(NR * 0.99 + 0.999999); if (i99 > NR) i99 = NR
      printf "{\"count\": %d, \"p50_ms\": %s, \"p99_ms\": %s, \"max_ms\": %s, \"over_lock_timeout\": %d}\n",
             NR, v[i50], v[i99], v[NR], over
    }'
}

# 5b. App latency while `pleat start` and `pleat complete` run: pgbench at half
# the lowest TPS measured in 5 (-R), a rate the machine sustains with the
# migration active, so queueing does not pass for stalls; every transaction
# logged (-l), late ones counted against the lock timeout (--latency-limit).
measure_latency() {
  local rate dur pid t0 s0 s1 c0 c1 t1
  rate=$(printf '%s\n' "$(get tps.none.tps)" "$(get tps.pleat.tps)" "$(get tps.pleat_new_app.tps)" |
    sort -g | awk 'NR == 1 { r = int($1 / 2); print (r < 10) ? 10 : r }')
  dur=$(awk -v s="$(get pleat_backfill.start_total_s)" 'BEGIN { printf "%d", 30 + 4 * s }')
  log "5 pgbench latency at $rate TPS during start and complete (up to ${dur}s)"
  copy_db bench_seed bench_lat
  q postgres -c "CHECKPOINT"
  t0=$EPOCHREALTIME
  pgbench_run bench_lat "$WORK/lat.out" -R "$rate" --latency-limit="$LOCK_TIMEOUT_MS" -T "$dur" \
    -l --log-prefix="$WORK/lat" &
  pid=$!
  BG_PIDS+=("$pid")
  sleep 5
  s0=$EPOCHREALTIME; pleat_cmd bench_lat "$WORK/lat-start.log" start "$MIG"; s1=$EPOCHREALTIME
  sleep 3
  c0=$EPOCHREALTIME; pleat_cmd bench_lat "$WORK/lat-complete.log" complete; c1=$EPOCHREALTIME
  wait "$pid"
  t1=$EPOCHREALTIME
  record latency.rate_tps "$rate"
  record latency.start_s "$(secs "$s0" "$s1")"
  record latency.complete_s "$(secs "$c0" "$c1")"
  record latency.before "$(window_stats "$t0" "$s0")"
  record latency.during_start "$(window_stats "$s0" "$s1")"
  record latency.during_complete "$(window_stats "$c0" "$c1")"
  record latency.after "$(window_stats "$c1" "$t1")"
  record latency.skipped "$(awk '/number of transactions skipped/ { print $5 }' "$WORK/lat.out" | head -1 | grep . || echo 0)"
  drop_db bench_lat
}

# 4b. Why the synced-column UPDATE costs what it does: the same bulk UPDATE
# with PL/pgSQL triggers of growing weight (sql/attribution.sql), and with
# pleat's own trigger function given the SET search_path clause it carried
# before it named every object with its schema (the before/after of that change).
measure_attribution() {
  local defs variant r runs template setup
  defs=$(cat "$BENCH/sql/attribution.sql")
  for variant in attr_empty attr_assign attr_assign_set attr_assign_stmt pleat_with_set; do
    template=bench_done
    setup="$defs; CREATE TRIGGER attr BEFORE UPDATE OF a, b ON t FOR EACH ROW EXECUTE FUNCTION $variant()"
    if [ "$variant" = pleat_with_set ]; then
      template=bench_active
      setup="DO \$\$ DECLARE f regprocedure; BEGIN
               FOR f IN SELECT tgfoid::regprocedure FROM pg_trigger WHERE tgrelid = 't'::regclass
                          AND NOT tgisinternal AND tgtype & 1 = 1 LOOP
                 EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, public', f);
               END LOOP; END \$\$"
    fi
    runs=()
    for ((r = 1; r <= REPEAT; r++)); do
      log "4b synced-column UPDATE with trigger $variant (run $r of $REPEAT)"
      runs+=("$(bulk_once "$template" "$setup" "UPDATE t SET a = a + 1")")
    done
    record "attribution.$variant.runs_s" "[$(IFS=,; echo "${runs[*]}")]"
    record "attribution.$variant.seconds" "$(median "${runs[@]}")"
  done
}

# 2b. pleat's batch statements replayed server-side (sql/replay.sql) at
# several batch sizes, on the same table with the column added and no trigger;
# 1000_async: 1000-row batches with synchronous_commit off for the session.
measure_replay() {
  local size r s runs
  local variant options
  for variant in 1000 10000 100000 1000_async; do
    size=${variant%_async}
    options=""; [ "$variant" = "$size" ] || options="-c synchronous_commit=off"
    runs=()
    for ((r = 1; r <= REPEAT; r++)); do
      log "2b pleat's batches replayed server-side, $variant rows per batch (run $r of $REPEAT)"
      copy_db bench_seed bench_replay
      q bench_replay -c "ALTER TABLE t ADD COLUMN ab text" -f "$BENCH/sql/replay.sql" >/dev/null
      s=$(PGOPTIONS="$options" timed bench_replay "CALL replay_backfill($size)")
      check_filled bench_replay "the replayed backfill"
      drop_db bench_replay
      runs+=("$s")
    done
    record "replay_backfill.batch_$variant.runs_s" "[$(IFS=,; echo "${runs[*]}")]"
    record "replay_backfill.batch_$variant.seconds" "$(median "${runs[@]}")"
  done
}
