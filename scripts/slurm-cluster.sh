#!/usr/bin/env bash
# A real Slurm on this one host, for the cluster tests: munge, slurmctld and three slurmd
# (n1, n2, n3, each on a port of its own), all as processes under DIR, on loopback.
#   scripts/slurm-cluster.sh start DIR    # prints the SLURM_CONF to use, once every node is idle
#   scripts/slurm-cluster.sh stop DIR
# Needs Debian's slurmd, slurmctld, slurm-client, munge and libpmix-dev (for --mpi=pmix;
# scripts/install-deps.sh), and root.
set -euo pipefail
action=$1
dir=$(realpath -m "$2")
conf=$dir/slurm.conf

stop() {
  for pidfile in "$dir"/*.pid; do
    [ -e "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 0.5
  for pidfile in "$dir"/*.pid; do
    [ -e "$pidfile" ] || continue
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ "$action" = stop ]; then
  stop
  [ -e "$dir/munge-dir" ] && rm -rf "$(cat "$dir/munge-dir")" "$dir/munge-dir"
  exit 0
fi

mkdir -p "$dir/state"
# munged as the munge user, its socket in a directory of its own (755), its key directory 700,
# under a directory the munge user can reach (DIR's parents may be private to root).
munge=$(mktemp -d /tmp/powerfit-munge-XXXXXX)
chmod 755 "$munge"
echo "$munge" > "$dir/munge-dir"
install -d -o munge -g munge -m 755 "$munge/run"
install -d -o munge -g munge -m 700 "$munge/etc" "$munge/lib" "$munge/log"
dd if=/dev/urandom bs=1 count=1024 of="$munge/etc/munge.key" status=none
chown munge:munge "$munge/etc/munge.key"
chmod 400 "$munge/etc/munge.key"
socket=$munge/run/munge.socket
runuser -u munge -- munged --socket="$socket" --key-file="$munge/etc/munge.key" \
  --pid-file="$munge/run/munged.pid" --log-file="$munge/log/munged.log" --seed-file="$munge/lib/munge.seed" -f
cp "$munge/run/munged.pid" "$dir/munged.pid"

ctl_port=$(free_port)
{
  echo "ClusterName=powerfit"
  echo "SlurmctldHost=localhost"
  echo "SlurmctldPort=$ctl_port"
  echo "SlurmUser=root"
  echo "AuthType=auth/munge"
  echo "AuthInfo=socket=$socket"
  echo "CredType=cred/munge"
  echo "ProctrackType=proctrack/linuxproc"
  echo "TaskPlugin=task/none"
  echo "MpiDefault=none"
  echo "SelectType=select/cons_tres"
  echo "SelectTypeParameters=CR_CPU"
  echo "ReturnToService=2"
  echo "StateSaveLocation=$dir/state"
  echo "SlurmdSpoolDir=$dir/spool-%n"
  echo "SlurmctldPidFile=$dir/slurmctld.pid"
  echo "SlurmdPidFile=$dir/slurmd-%n.pid"
  echo "SlurmctldLogFile=$dir/slurmctld.log"
  echo "SlurmdLogFile=$dir/slurmd-%n.log"
  echo "SchedulerType=sched/builtin"
  echo "JobCompType=jobcomp/none"
  echo "AccountingStorageType=accounting_storage/none"
  echo "SlurmctldTimeout=30"
  echo "SlurmdTimeout=30"
  echo "InactiveLimit=0"
  echo "KillWait=5"
  for n in 1 2 3; do
    echo "NodeName=n$n NodeHostname=localhost Port=$(free_port) CPUs=2 RealMemory=1000 State=UNKNOWN"
  done
  echo "PartitionName=all Nodes=n[1-3] Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE"
} > "$conf"
export SLURM_CONF=$conf
slurmctld -i -f "$conf"
# Each slurmd reads a configuration directory of its own, the same slurm.conf beside an mpi.conf
# with its own PMIx directory (three slurmd of one host would share one otherwise, and PMIx
# launches time out).
for n in 1 2 3; do
  mkdir -p "$dir/spool-n$n" "$dir/n$n" "$dir/pmix-n$n"
  cp "$conf" "$dir/n$n/slurm.conf"
  echo "PMIxCliTmpDirBase=$dir/pmix-n$n" > "$dir/n$n/mpi.conf"
  slurmd -N "n$n" -f "$dir/n$n/slurm.conf"
done
for _ in $(seq 1 100); do
  if [ "$(sinfo -h -o '%T' -N 2>/dev/null | grep -c idle)" = 3 ]; then
    echo "$conf"
    exit 0
  fi
  sleep 0.2
done
echo "slurm-cluster: the nodes did not come up; see $dir/*.log" >&2
sinfo -N >&2 || true
exit 1
