#!/usr/bin/env bash
# Measuring an MPI job: powerfit around each rank. Each node's first rank (SLURM_LOCALID 0)
# samples the whole node (power, utilization, I/O); the other ranks their own process tree, so
# the node's energy is counted once. Every run records the job's variables (SLURM_JOB_ID,
# SLURM_PROCID, ...), shown by `powerfit score --json` and `powerfit export --format json`.
#
#   sbatch examples/slurm/measure-mpi-job.sh ./my_mpi_program ARGS...
#SBATCH --job-name=powerfit-mpi
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=4
#SBATCH --output=mpi-%j.out
set -euo pipefail
OUT=${OUT:-mpi-results}
mkdir -p "$OUT"
# One file per node (%N); the ranks of a node record into it together.
srun powerfit run -q -i 200ms -o "$OUT/job-%j-%N.db" -- "$@"
powerfit merge "$OUT"/job-"$SLURM_JOB_ID"-*.db -o "$OUT/job-$SLURM_JOB_ID.db"
powerfit score "$OUT/job-$SLURM_JOB_ID.db" --json > "$OUT/job-$SLURM_JOB_ID.json"
