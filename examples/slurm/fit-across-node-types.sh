#!/usr/bin/env bash
# The fit test across a cluster's node types: one array task per node type benches every model
# there, then the files are merged and the fit matrix and report written.
#
#   sbatch examples/slurm/fit-across-node-types.sh         # submits the array, then the summary
#
# Edit PARTITIONS (one node type each), MODELS and DATA. Each task records into its own file,
# named by Slurm's patterns (%A array job, %a task, %N node), so no two tasks share a file; the
# machine is named by its hardware (CPU model and cores, GPUs and their power limits), so nodes
# of one type pool and different types never do.
#SBATCH --job-name=powerfit-fit
#SBATCH --nodes=1
#SBATCH --exclusive
#SBATCH --output=fit-%A_%a.out
set -euo pipefail
PARTITIONS=(${PARTITIONS:-cpu gpu-a100 gpu-h100})
MODELS=(${MODELS:-models/zoo/lenet.pt models/zoo/mlp.pt})
DATA=${DATA:-models/zoo/digits-test}
OUT=${OUT:-fit-results}

if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  # Submitted without --array: submit one task per partition, then the summary after them all.
  mkdir -p "$OUT"
  last=$((${#PARTITIONS[@]} - 1))
  jobs=()
  for i in $(seq 0 "$last"); do
    jobs+=("$(sbatch --parsable --array="$i" --partition="${PARTITIONS[$i]}" "$0")")
  done
  sbatch --dependency="afterok:$(IFS=:; echo "${jobs[*]}")" --output=fit-summary.out --wrap \
    "powerfit merge $OUT/*.db -o $OUT/all.db && powerfit fit $OUT/all.db && powerfit fit $OUT/all.db --csv > $OUT/fit.csv && powerfit report $OUT/all.db -o $OUT/report.html"
  exit 0
fi

device=cpu
if command -v nvidia-smi > /dev/null && nvidia-smi -L > /dev/null 2>&1; then device=cuda; fi
for model in "${MODELS[@]}"; do
  # Three repeats after a 5 s idle baseline, for mean ± 95% CI and the energy above idle.
  powerfit bench -m "$model" -d "$DATA" --device "$device" -r 3 --baseline 5s --min-time 10s \
    -o "$OUT/fit-%A_%a-%N.db"
done
