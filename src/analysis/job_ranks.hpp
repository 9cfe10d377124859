#pragma once
// The ranks of one multi-process job as one configuration. A job that runs one process per GPU
// (torchrun, srun, mpirun) and measures in each rank stores one run per rank, each counting its
// own GPU once and the host-wide channels in local rank 0 alone; their sum is the job's. Pooled,
// the runs of one job, machine name, label, model and batch become one run whose inferences, correct answers,
// energies and idle power are the ranks' sums, whose GPUs are all the ranks' GPUs ("8x H100") and
// whose durations are the longest rank's: the fit test then scores "N GPUs × batch" as a machine
// of its own.
//
// A job is told by its scheduler's variables as recorded with each run: SLURM_JOB_ID and
// SLURM_STEP_ID, TORCHELASTIC_RUN_ID; a rank by RANK, SLURM_PROCID, OMPI_COMM_WORLD_RANK or
// PMIX_RANK, the job's size by WORLD_SIZE, SLURM_NTASKS or OMPI_COMM_WORLD_SIZE. Repeats pool in
// order: a rank's k-th run of a configuration with every other rank's k-th. Ranks given machine
// names of their own (--machine %N: one machine per node) are not pooled. A configuration whose
// ranks are not all there (or not there as often) is left as its ranks' runs, with a warning
// where several of its ranks are there.

#include <string>
#include <vector>

#include "recording/database.hpp"

namespace powerfit::analysis {

struct PooledRuns {
  std::vector<recording::ReportedRun> runs;  // the runs outside jobs as they were, then the pooled ones
  std::vector<std::string> warnings;
};

PooledRuns pool_job_ranks(const std::vector<recording::ReportedRun>& runs);

}  // namespace powerfit::analysis
