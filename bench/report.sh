# shellcheck shell=bash
# bench/report.sh: turns bench/run.sh's results into the JSON file and the
# printed table (sourced by run.sh; uses get, record, calc).

# ratio_row LABEL SECONDS BASE_SECONDS TARGET: a time-ratio line (lower is better).
time_row() {
  printf '  %-52s %9.2f s %12s %7.2fx  %s\n' "$1" "$2" "" "$(calc "$2 / $3" 2)" "$4"
}
rate_row() {
  printf '  %-52s %9.2f s %10.0f/s %7.2fx  %s\n' "$1" "$2" "$(calc "$ROWS / $2" 0)" "$(calc "$3 / $2" 2)" "$4"
}
lat_row() {
  local j=$2
  printf '  %-52s %6s txns  p50 %7s ms  p99 %7s ms  max %8s ms  >%sms: %s\n' "$1" \
    "$(jq -r .count <<<"$j")" "$(jq -r '.p50_ms // "-"' <<<"$j")" "$(jq -r '.p99_ms // "-"' <<<"$j")" \
    "$(jq -r '.max_ms // "-"' <<<"$j")" "$LOCK_TIMEOUT_MS" "$(jq -r '.over_lock_timeout // 0' <<<"$j")"
  [ "$(jq -r '.service.count // 0' <<<"$j")" = 0 ] || lat_row "  without schedule lag" "$(jq -c .service <<<"$j")"
}

# The whole `pleat start` (preflight, DDL, triggers, backfill, views: what the
# user waits for) against ALTER TABLE ADD COLUMN + UPDATE (issue 18).
whole_rows() {
  local ref
  ref=$(get reference.with_alter_s)
  rate_row "1w reference: ALTER TABLE ADD COLUMN + UPDATE" "$ref" "$ref" ""
  rate_row "2w whole pleat start, defaults (--jobs 2)" "$(get pleat_backfill.whole_start_s)" "$ref" "target >= 1.00x"
  rate_row "2dw whole pleat start, --jobs 1" "$(get pleat_backfill_one_job.whole_start_s)" "$ref" ""
}
summarize_whole() {
  local ref
  ref=$(get reference.with_alter_s)
  record summary.whole_start_rate_vs_reference "$(calc "$ref / $(get pleat_backfill.whole_start_s)")"
  record summary.whole_start_one_job_rate_vs_reference "$(calc "$ref / $(get pleat_backfill_one_job.whole_start_s)")"
}

summarize() {
  summarize_whole
  local ref s
  ref=$(get reference.seconds)
  record summary.reference_rows_per_s "$(calc "$ROWS / $ref" 0)"
  record summary.pleat_backfill_rows_per_s "$(calc "$ROWS / $(get pleat_backfill.seconds)" 0)"
  record summary.touch_backfill_rows_per_s "$(calc "$ROWS / $(get touch_backfill.seconds)" 0)"
  record summary.pleat_backfill_rate_vs_reference "$(calc "$ref / $(get pleat_backfill.seconds)")"
  record summary.pleat_backfill_fixed_rate_vs_reference "$(calc "$ref / $(get pleat_backfill_fixed.seconds)")"
  record summary.pleat_backfill_one_job_rate_vs_reference "$(calc "$ref / $(get pleat_backfill_one_job.seconds)")"
  record summary.touch_backfill_rate_vs_reference "$(calc "$ref / $(get touch_backfill.seconds)")"
  for s in synced unrelated; do
    for v in pleat pleat_new_view touch; do
      record "summary.bulk_$s.${v}_time_vs_none" \
        "$(calc "$(get "bulk_update.$s.$v.seconds") / $(get "bulk_update.$s.none.seconds")")"
    done
  done
  for v in attr_empty attr_assign attr_assign_set attr_assign_stmt pleat_with_set; do
    record "summary.attribution_${v}_time_vs_none" \
      "$(calc "$(get "attribution.$v.seconds") / $(get bulk_update.synced.none.seconds)")"
  done
  for s in 1000 10000 100000 1000_async; do
    record "summary.replay_batch_${s}_rate_vs_reference" "$(calc "$ref / $(get "replay_backfill.batch_$s.seconds")")"
  done
  record summary.tps_pleat_vs_none "$(calc "$(get tps.pleat.tps) / $(get tps.none.tps)")"
  record summary.tps_pleat_new_app_vs_none "$(calc "$(get tps.pleat_new_app.tps) / $(get tps.none.tps)")"
}

write_json() {
  mkdir -p "$BENCH/results"
  JSON_FILE="$BENCH/results/${1:-}$(date +%Y-%m-%dT%H%M%S).json"
  jq -Rn 'reduce (inputs | split("\t")) as $kv ({}; setpath($kv[0] | split("."); $kv[1] | fromjson))' \
    <"$RESULTS" >"$JSON_FILE"
}

print_table() {
  local ref b
  ref=$(get reference.seconds)
  echo
  echo "pleat bench: $ROWS rows, $(nproc) cores, PostgreSQL $(get machine.server_version | tr -d '"')," \
    "${UNSAFE:-durable} settings, median of $REPEAT, load average $(get machine.loadavg | tr -d '"')"
  echo "backfill (rows/s; ratio = time / reference time)"
  rate_row "1 reference: one UPDATE t SET ab = up" "$ref" "$ref" ""
  rate_row "2 pleat backfill (defaults: --jobs 2)" "$(get pleat_backfill.seconds)" "$ref" "target rate >= 0.90x ref"
  rate_row "2c pleat backfill, fixed 1000-row batches (before)" "$(get pleat_backfill_fixed.seconds)" "$ref" ""
  rate_row "2d pleat backfill, --jobs 1 (one worker, no key ranges)" "$(get pleat_backfill_one_job.seconds)" "$ref" ""
  whole_rows
  rate_row "3 trigger-touch (pgroll/Reshape), 1000/batch" "$(get touch_backfill.seconds)" "$ref" ""
  for b in 1000 10000 100000 1000_async; do
    rate_row "2b pleat's statements server-side, ${b/_async/ async commit}/batch" "$(get "replay_backfill.batch_$b.seconds")" "$ref" ""
  done
  for s in synced unrelated; do
    b=$(get "bulk_update.$s.none.seconds")
    echo "4 bulk UPDATE of the $s column (ratio = time / no trigger)"
    time_row "no trigger (migration completed)" "$b" "$b" ""
    time_row "pleat active, old app on the table" "$(get "bulk_update.$s.pleat.seconds")" "$b" \
      "$([ "$s" = synced ] && echo "target <= 1.50x" || echo "target <= 1.20x")"
    time_row "pleat active, new app through its view" "$(get "bulk_update.$s.pleat_new_view.seconds")" "$b" ""
    time_row "trigger of (3)" "$(get "bulk_update.$s.touch.seconds")" "$b" ""
  done
  b=$(get bulk_update.synced.none.seconds)
  echo "4b synced-column UPDATE, one PL/pgSQL trigger of growing weight (ratio = time / no trigger)"
  time_row "empty body (RETURN NEW)" "$(get attribution.attr_empty.seconds)" "$b" ""
  time_row "NEW.ab := up" "$(get attribution.attr_assign.seconds)" "$b" ""
  time_row "NEW.ab := up, SET search_path clause" "$(get attribution.attr_assign_set.seconds)" "$b" ""
  time_row "NEW.ab := up, pleat's writer key test" "$(get attribution.attr_assign_stmt.seconds)" "$b" ""
  time_row "pleat's trigger with a SET search_path clause (before)" "$(get attribution.pleat_with_set.seconds)" "$b" ""
  echo "5 pgbench, $CLIENTS clients, update+insert on t, median of $TPS_REPEAT (ratio = TPS / no migration)"
  for b in none pleat pleat_new_app; do
    printf '  %-52s %9.1f tps %20.2fx  %s\n' "$b" "$(get "tps.$b.tps")" \
      "$(calc "$(get "tps.$b.tps") / $(get tps.none.tps)" 2)" "$([ "$b" = pleat ] && echo "target >= 0.90x")"
  done
  echo "  latency at $(get latency.rate_tps) TPS (start took $(get latency.start_s) s, complete $(get latency.complete_s) s):"
  for b in before during_start during_complete after; do lat_row "$b" "$(get "latency.$b")"; done
  echo "  transactions skipped as already late: $(get latency.skipped)"
  echo "pleat start peak RSS: $(get pleat_backfill.max_rss_kb) kB"
  echo "results: $JSON_FILE"
}

report() {
  summarize
  write_json
  print_table
}

# --backfill-only: (1), (2) and (2d) alone.
report_backfill() {
  local ref
  ref=$(get reference.seconds)
  record summary.reference_rows_per_s "$(calc "$ROWS / $ref" 0)"
  record summary.pleat_backfill_rows_per_s "$(calc "$ROWS / $(get pleat_backfill.seconds)" 0)"
  record summary.pleat_backfill_rate_vs_reference "$(calc "$ref / $(get pleat_backfill.seconds)")"
  summarize_whole
  write_json
  echo
  echo "pleat bench: $ROWS rows, backfill only, load average $(get machine.loadavg | tr -d '"')"
  rate_row "1 reference: one UPDATE t SET ab = up" "$ref" "$ref" ""
  rate_row "2 pleat backfill (defaults: --jobs 2)" "$(get pleat_backfill.seconds)" "$ref" "target rate >= 0.90x ref"
  rate_row "2d pleat backfill, --jobs 1 (one worker, no key ranges)" "$(get pleat_backfill_one_job.seconds)" "$ref" ""
  whole_rows
  echo "pleat start peak RSS: $(get pleat_backfill.max_rss_kb) kB"
  echo "results: $JSON_FILE"
}
