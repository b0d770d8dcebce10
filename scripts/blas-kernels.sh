#!/bin/sh
# Compares OpenBLAS's kernel choices on this machine: for OpenBLAS's own pick and for each named
# core, checks a fixed set of sgemm products against a naive double sum and measures the sgemm
# peak (1024², all cores), through `report bench --kernel-check` with the start-up guard off
# (NN_BLAS_GUARD=0), so wrong kernels show as wrong instead of being replaced.
#
#   scripts/blas-kernels.sh [path/to/report] [core …]
set -eu
BIN=${1:-.build/release/report}
[ $# -gt 0 ] && shift
CORES=${*:-"auto SkylakeX Haswell Sandybridge"}
[ -x "$BIN" ] || { echo "blas-kernels: $BIN not found; build it first (make build)" >&2; exit 1; }
for core in $CORES; do
    echo "== OPENBLAS_CORETYPE=$core"
    if [ "$core" = auto ]; then
        env -u OPENBLAS_CORETYPE NN_BLAS_GUARD=0 "$BIN" bench --kernel-check | sed -n '1p;3,4p'
    else
        env OPENBLAS_CORETYPE="$core" NN_BLAS_GUARD=0 "$BIN" bench --kernel-check | sed -n '1p;3,4p'
    fi
done
