#!/usr/bin/env bash
# Runs a weaksim sweep the way a lab runs one on a cluster, for real: installs
# Slurm and MUNGE from Debian's packages, starts a one-node cluster on this
# machine (no cgroups: proctrack/linuxproc, task/none), submits the sweep as a
# 4-task job array (one shard per task), merges the shards, and checks that
# the merged CSV and JSON equal the same sweep run in one process.
#
#   scripts/slurm-sweep-test.sh            # needs root (apt-get, daemons)
#   WEAKSIM=path/to/weaksim scripts/slurm-sweep-test.sh
#
# Exit 0 when the outputs are equal. Everything it starts, it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
start=$(date +%s)
say() { echo "== $*"; }

BIN=${WEAKSIM:-$ROOT/target/release/weaksim}
if [ ! -x "$BIN" ]; then
  say "building weaksim (release)"
  cargo build --release --bin weaksim
fi
[ "$(id -u)" = 0 ] || { echo "run as root: it installs packages and starts the Slurm daemons"; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge (Debian packages)"
  # No init system in a container: keep the packages' scripts from starting services.
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
  [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
echo "$(slurmctld -V), $(munged --version 2>&1 | head -1)"

WORK=$(mktemp -d /tmp/weaksim-slurm.XXXXXX)
NODE=$(hostname -s)
CONF=$WORK/slurm.conf
pids=()
cleanup() {
  set +e
  command -v scancel >/dev/null && SLURM_CONF=$CONF scancel --quiet --user=root 2>/dev/null
  for f in "$WORK/slurmd.pid" "$WORK/slurmctld.pid" "$WORK/munged.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  sleep 1
  if [ "${keep:-0}" = 1 ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
keep=1

say "starting munged"
mkdir -p "$WORK/munge" && chmod 700 "$WORK/munge"
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$WORK/munge/munge.key"
munged --force --key-file="$WORK/munge/munge.key" --socket="$WORK/munge/munge.socket" \
  --pid-file="$WORK/munged.pid" --log-file="$WORK/munged.log" --seed-file="$WORK/munge/seed"

say "starting a one-node Slurm cluster on $NODE"
mkdir -p "$WORK/state" "$WORK/spool"
cat >"$CONF" <<EOF
ClusterName=weaksim-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$WORK/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$CONF
slurmctld -c -f "$CONF"
slurmd -f "$CONF"
for _ in $(seq 60); do
  state=$(sinfo -h -N -o %T 2>/dev/null | head -1 || true)
  [ "$state" = idle ] && break
  sleep 1
done
sinfo -N -o "%N %T %c"
[ "$state" = idle ] || { echo "the node did not become idle"; tail -20 "$WORK/slurmctld.log" "$WORK/slurmd.log"; exit 1; }

SWEEP=(irq_work --variants racy,v3.6,fixed --models sc,tso,arm --cores 2..=4 --seeds 0..3000 --scheduler timed)
say "submitting the sweep as a job array of 4 shards"
cat >"$WORK/shard.sh" <<EOF
#!/bin/bash
#SBATCH --job-name=weaksim-sweep
#SBATCH --array=1-4
#SBATCH --cpus-per-task=1
#SBATCH --output=$WORK/shard-%a.log
# Exit 1 means "violations found": a result, not a failure.
"$BIN" sweep ${SWEEP[*]} --threads 1 --shard \$SLURM_ARRAY_TASK_ID/4 --out $WORK/shard-\$SLURM_ARRAY_TASK_ID.json --resume
rc=\$?
[ \$rc -le 1 ] || exit \$rc
EOF
jobid=$(sbatch --parsable --wait --chdir="$WORK" "$WORK/shard.sh")
sacct_ok=1
for k in 1 2 3 4; do
  [ -s "$WORK/shard-$k.json" ] || { echo "shard $k wrote nothing:"; cat "$WORK/shard-$k.log"; sacct_ok=0; }
done
[ $sacct_ok = 1 ] || exit 1
echo "job $jobid: 4 array tasks done"
for k in 1 2 3 4; do
  echo "  shard $k/4: $(tail -c +1 "$WORK/shard-$k.log" | grep -E '^sweep: [0-9]+ runs' | head -1)"
done

say "merging the shards"
"$BIN" merge "$WORK"/shard-{1,2,3,4}.json --out "$WORK/merged.csv" >/dev/null
"$BIN" merge "$WORK"/shard-{1,2,3,4}.json --out "$WORK/merged.json" --plot "$WORK/merged.svg" >/dev/null

say "the same sweep in one process"
set +e
"$BIN" sweep "${SWEEP[@]}" --out "$WORK/single.csv" --quiet >/dev/null
"$BIN" sweep "${SWEEP[@]}" --out "$WORK/single.json" --quiet >/dev/null
set -e

say "comparing"
cmp "$WORK/merged.csv" "$WORK/single.csv"
cmp "$WORK/merged.json" "$WORK/single.json"
awk -F, 'NR == 1 { printf "%-14s %-5s %5s %6s %10s %8s   %s\n", $1, $2, $3, $4, $5, $6, "95% interval"; next }
  { printf "%-14s %-5s %5s %6s %10s %7.3f%%   %.3f%%..%.3f%%\n", $1, $2, $3, $4, $5, 100 * $6, 100 * $7, 100 * $8 }' "$WORK/merged.csv"
echo "merged shards == single process: $(wc -l <"$WORK/merged.csv") CSV lines and the JSON are identical"
keep=0
echo "== done in $(($(date +%s) - start)) s"
