#!/usr/bin/env bash
# bench/large_file.sh: time and peak memory of `pleat check` on migration files of
# many operations (issue 14, "Limits"): N create_table (a table each) and N
# add_column on one table created by the same file, for N = 2000 and 20000; then
# `pleat start` of N create_table for N = 1000 and 2000, to see that planning,
# the stored plan and the journal of steps grow linearly (the DDL is the server's).
#   bench/large_file.sh [--sizes "2000 20000"] [--start-sizes "1000 2000"] [--build-dir DIR]
# Starts its own throwaway PostgreSQL (bench/pg.sh, fsync off) and stops it on exit.
# Prints one line per run: file, command, wall seconds, user CPU seconds, peak RSS in MB.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
sizes="2000 20000"
start_sizes="1000 2000"
build_dir="$here/../build"
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --start-sizes) start_sizes=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "bench/large_file.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
pleat="$build_dir/pleat"
[ -x "$pleat" ] || { echo "bench/large_file.sh: no $pleat; build first (cmake --build build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/large_file.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

eval "$("$here/pg.sh" start unsafe)"
work=$(mktemp -d /tmp/pleat-large-file.XXXXXX)
trap '"$here/pg.sh" stop "$BENCH_PGDIR"; rm -rf "$work"' EXIT
base_url="postgresql://postgres@/postgres?host=$BENCH_PGHOST&port=$BENCH_PGPORT"

create_tables() {  # N -> a file of N create_table
  local n=$1 i
  echo "operations:"
  for ((i = 0; i < n; i++)); do
    printf '  - create_table:\n      name: t%d\n      columns:\n        - {name: id, type: bigint, pk: true}\n        - {name: v, type: text, nullable: true}\n' "$i"
  done
}

add_columns() {  # N -> a file creating one table and adding N columns to it
  local n=$1 i
  printf 'operations:\n  - create_table:\n      name: t\n      columns:\n        - {name: id, type: bigint, pk: true}\n'
  for ((i = 0; i < n; i++)); do
    printf '  - add_column:\n      table: t\n      column: {name: c%d, type: text, nullable: true}\n' "$i"
  done
}

measure() {  # LABEL URL ARGS... : one line of numbers
  local label=$1 url=$2
  shift 2
  /usr/bin/time -f "%e %U %M" -o "$work/time" "$pleat" --url "$url" "$@" >"$work/out" 2>&1 ||
    { echo "bench/large_file.sh: $label failed:" >&2; tail -5 "$work/out" >&2; exit 1; }
  read -r wall user rss <"$work/time"
  printf '%-28s %8.2f s wall %8.2f s user %8.0f MB peak RSS\n' "$label" "$wall" "$user" "$((rss / 1024))"
}

for n in $sizes; do
  create_tables "$n" >"$work/01_create_$n.yaml"
  add_columns "$n" >"$work/01_add_$n.yaml"
  measure "check $n create_table" "$base_url" check "$work/01_create_$n.yaml"
  measure "check $n add_column" "$base_url" check "$work/01_add_$n.yaml"
done
for n in $start_sizes; do
  db="start_$n"
  "$BENCH_PGBIN/psql" -q -h "$BENCH_PGHOST" -p "$BENCH_PGPORT" -U postgres -d postgres -c "CREATE DATABASE $db"
  create_tables "$n" >"$work/01_start_$n.yaml"
  url="postgresql://postgres@/$db?host=$BENCH_PGHOST&port=$BENCH_PGPORT"
  measure "start $n create_table" "$url" start "$work/01_start_$n.yaml"
done
