#!/usr/bin/env bash
# Installs pleat's build and test dependencies from Debian packages.
# Does nothing when everything is already there; needs root (or sudo) otherwise.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config libpq-dev libpg-query-dev
          nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev googletest libgtest-dev
          libbenchmark-dev postgresql postgresql-contrib pgbouncer)
# PLEAT_FUZZ=1: also clang and its libFuzzer runtime, for scripts/fuzz.sh.
[ "${PLEAT_FUZZ:-0}" = 1 ] && packages+=(clang libclang-rt-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
