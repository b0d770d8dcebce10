#!/usr/bin/env bash
# make slurm-check — runs the study on a real, single-node Slurm cluster started on this
# machine and checks that the sharded run gives the same numbers as one process.
#
#   1. installs Debian's slurm-wlm and munge when missing (apt-get; needs root);
#   2. writes a minimal slurm.conf (this host as the only node, its CPUs and memory from
#      `slurmd -C`, proctrack/linuxproc, no cgroups) and a munge key into a temporary
#      folder, and starts munged, slurmctld and slurmd directly (no systemd needed);
#   3. checks the cluster with plain jobs: `sbatch --wrap hostname`, then
#      contrib/slurm/submit.sh with a recording stand-in for the report binary, to see
#      the array pass --shard 0/N … N-1/N and the assembly start only after every shard,
#      and, with one shard failing, the assembly cancelled without running;
#   4. makes a tiny dataset (`report generate-data --scale 0.02`) and a tiny configuration,
#      submits it with contrib/slurm/submit.sh (SHARDS array tasks, then the assembly),
#      waits, runs the same configuration in one process, and compares tables/metrics.csv;
#   5. prints the assembled report's path (copied to output/slurm-check/) and "equal".
# Whatever happens, the daemons it started are stopped and the temporary folder removed.
#
#   scripts/slurm-check.sh                 # everything
#   scripts/slurm-check.sh --cluster-only  # steps 1–3 only (no report binary needed)
#
# Environment: REPORT (binary, default .build/release/report, built when absent),
# SHARDS (default 2), SLURM_CHECK_TIMEOUT (seconds to wait for the jobs, default 1800),
# SLURM_CHECK_OUT (where the assembled report is kept, default output-slurm-check; not inside
# output/, which `report run` replaces as a whole and refuses when it holds anything else).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

mode=full
case "${1:-}" in
  "") ;;
  --cluster-only) mode=cluster ;;
  *) echo "usage: $0 [--cluster-only]" >&2; exit 64 ;;
esac

REPORT=${REPORT:-.build/release/report}
SHARDS=${SHARDS:-2}
TIMEOUT=${SLURM_CHECK_TIMEOUT:-1800}
KEEP=${SLURM_CHECK_OUT:-output-slurm-check}
case "$KEEP" in ""|/|.|..) echo "SLURM_CHECK_OUT must name a folder of its own, not '$KEEP'" >&2; exit 64 ;; esac
started=$(date +%s)
# The same OpenBLAS kernels in the jobs (they inherit the environment) and in the
# single-process run, as the Makefile pins them.
if [ "$(uname -m)" = x86_64 ]; then export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}; fi

say() { printf '[slurm-check %4ds] %s\n' "$(( $(date +%s) - started ))" "$*"; }
die() { printf '[slurm-check %4ds] FAILED: %s\n' "$(( $(date +%s) - started ))" "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root: it installs packages and starts slurmd (which runs jobs as their user)"

# MARK: 1. packages

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
   || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge (apt-get)"
  # Keep the packages' init scripts from starting system-wide daemons: this script starts
  # its own, with its own configuration, and stops them when it ends.
  blocker=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    blocker=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' > "$blocker"; chmod +x "$blocker"
  fi
  export DEBIAN_FRONTEND=noninteractive
  install_ok=true apt_log=$(mktemp /tmp/slurm-check-apt.XXXXXX)
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge; } >"$apt_log" 2>&1 || install_ok=false
  [ -n "$blocker" ] && rm -f "$blocker"
  $install_ok || { tail -n 20 "$apt_log" >&2; rm -f "$apt_log"; die "apt-get install slurm-wlm munge failed"; }
  rm -f "$apt_log"
fi
say "$(slurmctld -V), munge $(munged --version 2>&1 | awk '{print $2; exit}')"

# MARK: 2. the report binary (before the daemons start: a release build takes minutes)

if [ "$mode" = full ]; then
  if [ ! -x "$REPORT" ]; then
    say "building $REPORT (swift build -c release --product report)"
    swift build -c release --product report
    [ -x "$REPORT" ] || die "swift build did not produce $REPORT"
  fi
  REPORT=$(cd "$(dirname "$REPORT")" && pwd)/$(basename "$REPORT")
  help=$("$REPORT" run --help 2>&1 || true)
  for option in --shard --cache; do
    grep -q -- "$option" <<<"$help" || die "$REPORT run has no $option option (build a report that has it, or use --cluster-only)"
  done
fi

# MARK: 3. a one-node cluster in a temporary folder

tmp=$(mktemp -d /tmp/slurm-check.XXXXXX)
chmod 755 "$tmp"
pids=()   # daemons started here, stopped in reverse order on exit

cleanup() {
  local status=$?
  set +e
  if [ -n "${SLURM_CONF:-}" ] && [ ${#pids[@]} -gt 1 ]; then
    # Jobs first, while slurmctld and slurmd can still end them cleanly.
    local jobs; jobs=$(squeue -h -o %A 2>/dev/null | sort -u)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      scancel $jobs 2>/dev/null
      for _ in $(seq 20); do [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.5; done
    fi
  fi
  local i pid
  for (( i=${#pids[@]}-1; i>=0; i-- )); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ $status -ne 0 ] && [ -d "$tmp/log" ]; then
    for f in "$tmp"/log/*.log; do echo "--- last lines of $(basename "$f")" >&2; tail -n 15 "$f" >&2; done
  fi
  rm -rf "$tmp"
  say "stopped the daemons, removed $tmp; $(( $(date +%s) - started ))s in all"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp"/{munge,state,spool,run,log,jobs}
chmod 700 "$tmp/munge"

# munge: a key of our own and a daemon on our own socket; the system's munge (if any) is untouched.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
munged --foreground --force --socket="$tmp/munge/socket" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/log/munged.log" --seed-file="$tmp/munge/seed" \
  >>"$tmp/log/munged.log" 2>&1 &
pids+=($!)
for _ in $(seq 40); do [ -S "$tmp/munge/socket" ] && break; sleep 0.25; done
[ -S "$tmp/munge/socket" ] || die "munged did not start (log: $(tail -n 3 "$tmp/log/munged.log"))"
munge --socket="$tmp/munge/socket" -n </dev/null | unmunge --socket="$tmp/munge/socket" >/dev/null \
  || die "munge cannot encode and decode a credential"

# Two free TCP ports for slurmctld and slurmd (6817/6818 unless taken).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ctld_port=6817; while ! port_free $ctld_port; do ctld_port=$((ctld_port + 2)); done
slurmd_port=$((ctld_port + 1)); while ! port_free $slurmd_port; do slurmd_port=$((slurmd_port + 2)); done

node=$(hostname -s)
# `slurmd -C` prints this machine as a slurm.conf node line: CPUs, sockets, cores, threads, memory.
hardware=$(slurmd -C 2>/dev/null | head -n 1 | sed 's/^NodeName=[^ ]* //')
grep -q 'CPUs=' <<<"$hardware" || die "slurmd -C printed no node description"

export SLURM_CONF=$tmp/slurm.conf
cat > "$SLURM_CONF" <<CONF
# Written by scripts/slurm-check.sh: one node (this machine), no cgroups, no accounting.
ClusterName=slurmcheck
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=3600
KillWait=5
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 $hardware State=UNKNOWN
PartitionName=check Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -D -c -f "$SLURM_CONF" >>"$tmp/log/slurmctld.stdout" 2>&1 &
pids+=($!)
slurmd -D -N "$node" -f "$SLURM_CONF" >>"$tmp/log/slurmd.stdout" 2>&1 &
pids+=($!)

state=
for _ in $(seq 120); do
  state=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || die "a daemon exited (pid $pid)"; done
  sleep 0.5
done
[ "$state" = idle ] || die "node $node is '${state:-unknown}', not idle, after 60s"
say "cluster up: node $node ($hardware), slurmctld :$ctld_port, slurmd :$slurmd_port, config $SLURM_CONF"

# Waits until none of the given jobs is pending or running, then checks that every one
# (every array task) COMPLETED. There is no accounting database, so no sacct: slurmctld
# keeps finished jobs for MinJobAge (an hour here) and `scontrol show job` reports them.
wait_jobs() {
  local deadline=$(( $(date +%s) + TIMEOUT )) id
  while :; do
    local active; active=$(squeue -h -j "$(IFS=,; echo "$*")" -t PD,R,CF,CG,S -o %i 2>/dev/null || true)
    [ -z "$active" ] && break
    [ "$(date +%s)" -lt "$deadline" ] || { squeue >&2; die "jobs $* still active after ${TIMEOUT}s"; }
    sleep 2
  done
  for id in "$@"; do
    local states; states=$(job_states "$id")
    grep -q . <<<"$states" || die "job $id: no record"
    if grep -v -q 'COMPLETED' <<<"$states"; then
      scontrol -o show job "$id" | grep -o 'JobId=[0-9]* .*JobState=[A-Z_]* Reason=[^ ]*' >&2
      die "job $id did not complete: $(tr '\n' ' ' <<<"$states")"
    fi
  done
}

# The state of a job, one line per array task ("COMPLETED", "FAILED", "CANCELLED", …).
job_states() { scontrol -o show job "$1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }

# MARK: 4. plain jobs: one job, then the array + dependency of submit.sh

id=$(sbatch --parsable --output="$tmp/jobs/hostname-%j.out" --wrap hostname)
wait_jobs "$id"
grep -qx "$(hostname)" "$tmp/jobs/hostname-$id.out" || die "sbatch --wrap hostname wrote '$(cat "$tmp/jobs/hostname-$id.out")'"
say "sbatch --wrap hostname: job $id completed on $(cat "$tmp/jobs/hostname-$id.out")"

# A stand-in for the report binary that records its arguments with a timestamp (and fails
# as shard $FAIL_SHARD when that is set): it checks the plumbing of submit.sh — array
# indices, shard count, order of the assembly, a failed shard — no numbers.
cat > "$tmp/record-args" <<'REC'
#!/bin/sh
sleep 1
echo "$(date +%s.%N) $*" >> "$OUT/calls.txt"
case " $* " in *" --shard ${FAIL_SHARD:-none}/"*) exit 3 ;; esac
REC
chmod +x "$tmp/record-args"
mkdir -p "$tmp/plumbing/data"
ids=$(REPORT=$tmp/record-args SHARDS=3 OUT=$tmp/plumbing/out DATA=$tmp/plumbing/data \
      CPUS=1 MEM=100M TIME=00:05:00 ASSEMBLE_CPUS=1 ASSEMBLE_MEM=100M ASSEMBLE_TIME=00:05:00 \
      contrib/slurm/submit.sh --parsable)
read -r array_id assemble_id <<<"$ids"
wait_jobs "$array_id" "$assemble_id"
calls=$tmp/plumbing/out/calls.txt
shard_lines=$(grep -c -- '--shard' "$calls" || true)
[ "$shard_lines" = 3 ] || die "expected 3 shard calls, got $shard_lines: $(cat "$calls")"
for i in 0 1 2; do grep -q -- "--shard $i/3 " "$calls" || die "no call with --shard $i/3 in: $(cat "$calls")"; done
last=$(sort -n "$calls" | tail -n 1)
grep -q -- '--shard' <<<"$last" && die "the assembly did not run last: $(sort -n "$calls")"
grep -q -- "^[0-9.]* run --cache $tmp/plumbing/out/.cache --out $tmp/plumbing/out --quiet --data $tmp/plumbing/data\$" <<<"$last" \
  || die "unexpected assembly call: $last"
say "submit.sh: array job $array_id ran --shard 0/3, 1/3, 2/3; assembly job $assemble_id ran after them"

# A failing shard: the assembly must never start (afterok) and must not stay pending forever
# (--kill-on-invalid-dep), so that resubmitting is the whole recovery.
rm -f "$calls"
ids=$(REPORT=$tmp/record-args FAIL_SHARD=1 SHARDS=3 OUT=$tmp/plumbing/out DATA=$tmp/plumbing/data \
      CPUS=1 MEM=100M TIME=00:05:00 ASSEMBLE_CPUS=1 ASSEMBLE_MEM=100M ASSEMBLE_TIME=00:05:00 \
      contrib/slurm/submit.sh --parsable)
read -r array_id assemble_id <<<"$ids"
deadline=$(( $(date +%s) + 120 ))
until [ -z "$(squeue -h -j "$array_id,$assemble_id" -o %i 2>/dev/null || true)" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { squeue >&2; die "after a failed shard, jobs $array_id/$assemble_id are still queued after 120s"; }
  sleep 2
done
array_states=$(job_states "$array_id" | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
grep -q FAILED <<<"$array_states" || die "the failing shard is not FAILED: $array_states"
[ "$(job_states "$assemble_id")" = CANCELLED ] || die "after a failed shard the assembly is $(job_states "$assemble_id"), not CANCELLED"
grep -q -v -- '--shard' "$calls" && die "the assembly ran although a shard failed: $(cat "$calls")"
say "submit.sh with a failing shard: array job $array_id ($array_states), assembly job $assemble_id cancelled without running"

if [ "$mode" = cluster ]; then
  say "cluster check passed (--cluster-only: the report run is skipped)"
  exit 0
fi

# MARK: 5. the study, sharded on the cluster and in one process

"$REPORT" generate-data --out "$tmp/data" --scale 0.02 --seed 7 >/dev/null
cat > "$tmp/tiny.yaml" <<'YAML'
# A few seconds of training per cell: three networks, one epoch, one experiment.
profile: quick
seed: 11
models: [fc1, fc2, conv1]
trainLimit: 120
valLimit: 60
epochs: 1
experimentModel: fc1
experimentEpochs: 1
curveEpochs: [1]
learningRates: [0.001]
experiments: [heads]
budgetSeconds: 0
repeats: 1
bootstrapResamples: 200
YAML

say "submitting the tiny study: $SHARDS shards + assembly"
ids=$(REPORT=$REPORT SHARDS=$SHARDS OUT=$tmp/cluster/output CACHE=$tmp/cluster/cache LOGS=$tmp/cluster/logs \
      DATA=$tmp/data CONFIG=$tmp/tiny.yaml CPUS=1 MEM=2G TIME=00:30:00 ASSEMBLE_CPUS=1 ASSEMBLE_MEM=2G ASSEMBLE_TIME=00:30:00 \
      contrib/slurm/submit.sh --parsable)
read -r array_id assemble_id <<<"$ids"
if ! wait_jobs "$array_id" "$assemble_id"; then exit 1; fi
say "array job $array_id and assembly job $assemble_id completed"

cluster_csv=$tmp/cluster/output/tables/metrics.csv
[ -s "$cluster_csv" ] || die "the assembly wrote no $cluster_csv"

# The assembly must have found every training cell in the cache (run.json: cached = true).
# run.json is pretty-printed JSON with sorted keys, "cached" before "cell" in each entry.
retrained=$(awk -F'"' '/"cached"/ { c = ($0 ~ /true/) } /"cell"/ { if ($4 ~ /^train\// && !c) print $4 }' \
            "$tmp/cluster/output/run.json")
[ -z "$retrained" ] || die "the assembly retrained: $retrained"
trained=$(awk -F'"' '/"cell"/ && $4 ~ /^train\// { n++ } END { print n + 0 }' "$tmp/cluster/output/run.json")
[ "$trained" -gt 0 ] || die "run.json lists no training cell"

say "the same configuration in one process"
OPENBLAS_NUM_THREADS=1 "$REPORT" run --data "$tmp/data" --config "$tmp/tiny.yaml" --out "$tmp/single" --quiet
single_csv=$tmp/single/tables/metrics.csv

if cmp -s "$cluster_csv" "$single_csv"; then
  verdict="equal (byte for byte, $(( $(wc -l < "$single_csv") - 1 )) rows)"
else
  # Numerically: same shape, text fields identical, numbers within 1e-9.
  if awk -F, 'NR == FNR { a[FNR] = $0; n = FNR; next }
      { m = FNR
        if (!(FNR in a)) { bad = 1; exit }
        split(a[FNR], x, ","); if (length(x) != NF) { bad = 1; exit }
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^-?[0-9.eE+-]+$/ && x[i] ~ /^-?[0-9.eE+-]+$/) { d = $i - x[i]; if (d < 0) d = -d; if (d > 1e-9) { bad = 1; exit } }
          else if ($i != x[i]) { bad = 1; exit } } }
      END { exit (bad || m != n) }' "$single_csv" "$cluster_csv"; then
    verdict="equal (numerically)"
  else
    diff "$single_csv" "$cluster_csv" | head -n 20 >&2
    die "tables/metrics.csv differs between the sharded and the single-process run"
  fi
fi

rm -rf "$KEEP"; mkdir -p "$(dirname "$KEEP")"
cp -R "$tmp/cluster/output" "$KEEP"
rm -rf "$KEEP/.cache" "$KEEP/calls.txt"
say "assembled report: $(cd "$KEEP" && pwd)/report.html ($trained training cells from $SHARDS shards, none retrained by the assembly)"
say "tables/metrics.csv of the sharded and the single-process run: $verdict"
echo "equal"
