#!/usr/bin/env bash
# Submits the study to Slurm: a job array of SHARDS tasks that train the training cells
# into a shared cell cache (shards.sbatch), then the assembly job (assemble.sbatch) that
# starts once every shard has succeeded and writes the report. Prints both job ids.
#
#   contrib/slurm/submit.sh              # prints "shards: job …" and "assembly: job …"
#   contrib/slurm/submit.sh --parsable   # prints "<array job id> <assembly job id>"
#
# Settings, as environment variables (default in brackets). Every path must be on a
# filesystem that the compute nodes share; relative paths are taken from the current folder.
#   SHARDS         number of array tasks = shards                      [4]
#   REPORT         the report binary            [<repo>/.build/release/report]
#   OUT            report folder                                       [<repo>/output]
#   CACHE          cell cache folder                                   [$OUT/.cache]
#   LOGS           Slurm log files                                     [$OUT/slurm-logs]
#   DATA           data folder; empty: the default phantom dataset, generated once here
#                  into <repo>/data/phantom-slurm before submitting                     []
#   CONFIG         YAML configuration (docs/configuration.md)                          []
#   SEED           seed, over the configuration's                                      []
#   CPUS MEM TIME  per shard                                           [2, 4G, 12:00:00]
#   ASSEMBLE_CPUS ASSEMBLE_MEM ASSEMBLE_TIME  for the assembly         [2, 4G, 02:00:00]
#   MAX_PARALLEL   at most this many shards at once (array throttle %)                 []
#   PARTITION ACCOUNT QOS                       passed to sbatch when set               []
#   SBATCH_ARGS    further sbatch options for both jobs, e.g. "--constraint=avx2"      []
#
# Resubmitting (same settings) after a failure or a time limit is safe: cells already in
# the cache are not recomputed, so the new shards only do what is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

parsable=false
case "${1:-}" in
  --parsable) parsable=true ;;
  "") ;;
  -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "submit.sh: unknown argument '$1' (only --parsable)" >&2; exit 64 ;;
esac

absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }

SHARDS=${SHARDS:-4}
REPORT=$(absolute "${REPORT:-$repo/.build/release/report}")
OUT=$(absolute "${OUT:-$repo/output}")
CACHE=$(absolute "${CACHE:-$OUT/.cache}")
LOGS=$(absolute "${LOGS:-$OUT/slurm-logs}")
DATA=${DATA:-}
CONFIG=${CONFIG:-}
SEED=${SEED:-}
CPUS=${CPUS:-2}; MEM=${MEM:-4G}; TIME=${TIME:-12:00:00}
ASSEMBLE_CPUS=${ASSEMBLE_CPUS:-2}; ASSEMBLE_MEM=${ASSEMBLE_MEM:-4G}; ASSEMBLE_TIME=${ASSEMBLE_TIME:-02:00:00}

fail() { echo "submit.sh: $*" >&2; exit 1; }
[[ $SHARDS =~ ^[1-9][0-9]*$ ]] || fail "SHARDS must be a positive number, got '$SHARDS'"
[ -x "$REPORT" ] || fail "no report binary at $REPORT; build it with: (cd $repo && swift build -c release --product report), or set REPORT"
command -v sbatch >/dev/null || fail "sbatch not found: run this on a Slurm login node"
if [ -n "$CONFIG" ]; then CONFIG=$(absolute "$CONFIG"); [ -f "$CONFIG" ] || fail "no configuration file $CONFIG"; fi
if [ -n "$DATA" ]; then
  DATA=$(absolute "$DATA"); [ -d "$DATA" ] || fail "no data folder $DATA"
else
  # The shards must not each generate the default dataset into one shared folder at once:
  # make it here, once, and point every job at it.
  DATA=$repo/data/phantom-slurm
  if [ ! -f "$DATA/.complete" ]; then
    echo "generating the default dataset into $DATA (once)" >&2
    rm -rf "$DATA"
    "$REPORT" generate-data --out "$DATA" >&2
    touch "$DATA/.complete"
  fi
fi
mkdir -p "$OUT" "$CACHE" "$LOGS"

export REPORT OUT CACHE DATA CONFIG SEED SHARDS
common=(--parsable --export=ALL --chdir="$repo")   # report-templates/ is found from the repository
[ -n "${PARTITION:-}" ] && common+=(--partition="$PARTITION")
[ -n "${ACCOUNT:-}" ] && common+=(--account="$ACCOUNT")
[ -n "${QOS:-}" ] && common+=(--qos="$QOS")
# shellcheck disable=SC2206  # SBATCH_ARGS is split into words on purpose
[ -n "${SBATCH_ARGS:-}" ] && common+=($SBATCH_ARGS)

array="0-$((SHARDS - 1))${MAX_PARALLEL:+%$MAX_PARALLEL}"
shards_id=$(sbatch "${common[@]}" --array="$array" \
  --cpus-per-task="$CPUS" --mem="$MEM" --time="$TIME" \
  --output="$LOGS/%x-%A_%a.out" "$here/shards.sbatch")
shards_id=${shards_id%%;*}   # --parsable prints "id" or "id;cluster"

assemble_id=$(sbatch "${common[@]}" --dependency="afterok:$shards_id" --kill-on-invalid-dep=yes \
  --cpus-per-task="$ASSEMBLE_CPUS" --mem="$ASSEMBLE_MEM" --time="$ASSEMBLE_TIME" \
  --output="$LOGS/%x-%j.out" "$here/assemble.sbatch")
assemble_id=${assemble_id%%;*}

if $parsable; then
  echo "$shards_id $assemble_id"
else
  echo "shards:   job $shards_id (array $array, $SHARDS shards; logs $LOGS/report-shard-${shards_id}_<i>.out)"
  echo "assembly: job $assemble_id (starts when every shard has succeeded; report in $OUT/report.html)"
fi
