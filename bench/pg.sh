#!/usr/bin/env bash
# bench/pg.sh: a throwaway PostgreSQL cluster for the benchmark.
#   eval "$(bench/pg.sh start [unsafe])"   # sets BENCH_PGDIR, BENCH_PGPORT, BENCH_PGHOST, BENCH_PGBIN
#   bench/pg.sh stop "$BENCH_PGDIR"
# Durable settings by default (fsync and synchronous_commit on, as in production);
# `unsafe` turns fsync, synchronous_commit and full_page_writes off.
# Works as root (the server runs as the 'postgres' system user) or as any other user.
set -euo pipefail

pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  echo "bench/pg.sh: no PostgreSQL server found; install it (apt-get install postgresql)" >&2
  exit 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin dir port durability
  bin=$(pgbin)
  dir=$(mktemp -d /tmp/pleat-bench-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  port=$(( 20000 + RANDOM % 20000 ))
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1
  durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  [ "${1:-}" = unsafe ] && durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # Big WAL budget and no autovacuum: no checkpoint or vacuum lands inside a timed step
  # (run.sh checkpoints and vacuums explicitly between steps).
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 \
    -o "-p $port -k $dir -c listen_addresses='' $durability -c shared_buffers=1GB \
        -c max_wal_size=16GB -c checkpoint_timeout=1h -c autovacuum=off -c max_connections=50 \
        -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top" start >/dev/null
  echo "BENCH_PGDIR=$dir"
  echo "BENCH_PGPORT=$port"
  echo "BENCH_PGHOST=$dir"
  echo "BENCH_PGBIN=$bin"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop)
    dir=${2:?usage: bench/pg.sh stop DIR}
    as_owner "$(pgbin)/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: bench/pg.sh start [unsafe] | stop DIR" >&2; exit 2 ;;
esac
