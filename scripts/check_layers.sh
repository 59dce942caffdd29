#!/usr/bin/env bash
# scripts/check_layers.sh: fails when a file under src/ includes a header of a
# layer above its own. The layers, bottom up, are the map at the top of
# docs/architecture.md; a directory may include itself and any directory
# listed before it here. Run by ctest as `layers`; exits 1 listing each
# upward include as "file: includes header (layer above)".
#
#   scripts/check_layers.sh [SRC_DIR]     (default: src/ next to this script)
set -euo pipefail

LAYERS=(. pg parse schema plan ops migration planner state backfill lint check convert history engine demo cli)

SRC=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/src}
declare -A level
for i in "${!LAYERS[@]}"; do level[${LAYERS[$i]}]=$i; done

bad=0
while IFS= read -r file; do
  rel=${file#"$SRC"/}
  dir=.
  [[ $rel == */* ]] && dir=${rel%%/*}
  if [[ -z ${level[$dir]+set} ]]; then
    echo "$rel: directory src/$dir is not in the layer map (scripts/check_layers.sh, docs/architecture.md)"
    bad=1
    continue
  fi
  while IFS= read -r header; do
    hdir=.
    [[ $header == */* ]] && hdir=${header%%/*}
    [[ -z ${level[$hdir]+set} ]] && continue  # not ours (e.g. a generated header's own path)
    if (( level[$hdir] > level[$dir] )); then
      echo "$rel: includes $header (layer $hdir is above $dir)"
      bad=1
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(find "$SRC" -type f \( -name '*.h' -o -name '*.cc' -o -name '*.in' \) | sort)

if (( bad )); then
  echo "upward includes found: move the code to the layer that owns it, or the header down (docs/architecture.md, \"Layers\")" >&2
  exit 1
fi
echo "layers: every include goes down (${#LAYERS[@]} layers)"
