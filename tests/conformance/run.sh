#!/usr/bin/env bash
# pgroll's example migrations (../shared/conformance, read-only) through pleat with
# the shared runner, less the examples pleat refuses by design. Each refused one is
# listed with its reason and has a test of its own that the refusal holds:
#   35_alter_column_multiple: its `down: event_name` names a column the table does not
#     have; pgroll accepts it and every new-version write then fails, pleat refuses it
#     before any DDL (tests/cli/typed_fields_cli_test.cc, CheckRefusesWhatStartRefuses).
# Usage: tests/conformance/run.sh PATH/TO/pleat PATH/TO/run-pgroll-examples.sh
set -euo pipefail
pleat=${1:?usage: $0 PATH/TO/pleat PATH/TO/run-pgroll-examples.sh}
runner=${2:?usage: $0 PATH/TO/pleat PATH/TO/run-pgroll-examples.sh}
refused=" 35_alter_column_multiple "
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for f in "$(dirname "$runner")"/pgroll-examples/*; do
  name=$(basename "${f%.*}")
  case "$refused" in *" $name "*) echo "refused by design: $name" ;; *) ln -s "$f" "$dir/" ;; esac
done
bash "$runner" "$pleat" "$dir"
