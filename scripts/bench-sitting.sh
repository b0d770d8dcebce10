#!/bin/bash
# One interleaved sitting against the Keras anchor (docs/benchmarks.md): for each architecture,
# this engine's training images/s (`report bench`), then Keras's (`keras_zoo.py speed`), then
# this engine again, so both see the same machine load. Prints one line per architecture.
#
#   scripts/bench-sitting.sh [conv1 conv2 …]
#   KERAS_PYTHON=/tmp/kvenv/bin/python ANCHORS=../shared/anchors scripts/bench-sitting.sh
#
# The Keras venv: python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install tensorflow-cpu
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/report}
PY=${KERAS_PYTHON:-/tmp/kvenv/bin/python}
ANCHORS=${ANCHORS:-../shared/anchors}
[ -x "$BIN" ] || { echo "build first: swift build -c release --product report" >&2; exit 1; }
[ -x "$PY" ] || { echo "no Keras python at $PY (see the header of this script)" >&2; exit 1; }
models=("$@"); [ ${#models[@]} -gt 0 ] || models=(conv1 conv2 conv3 conv4 conv5 lstm1 fc1 fc2)
ours() { "$BIN" bench --models "$1" --images 512 2>/dev/null | awk -v a="$1" '$1==a{print $3}'; }
printf '%-6s %10s %10s %10s %7s\n' model ours-1 keras ours-2 ratio
for a in "${models[@]}"; do
  o1=$(ours "$a")
  k=$("$PY" "$ANCHORS/keras_zoo.py" speed "$a" 2>/dev/null | grep -oE '[0-9.]+' | tail -1)
  o2=$(ours "$a")
  printf '%-6s %10s %10s %10s %7.2f\n' "$a" "$o1" "$k" "$o2" "$(awk -v a="$o1" -v b="$o2" -v k="$k" 'BEGIN{print (a + b) / 2 / k}')"
done
