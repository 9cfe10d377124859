#pragma once
// The fingerprint of the machine a run was measured on.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sensors/source.hpp"

namespace powerfit::sensors {

struct HostInfo {
  std::string hostname;
  std::string kernel;
  std::string cpu_model;
  unsigned cpu_cores = 0;
  std::uint64_t memory_bytes = 0;
  std::vector<std::string> gpu_models;  // filled by GPU sources where they exist
  std::vector<std::string> gpu_uuids;
  std::string gpu_driver;
  std::vector<double> gpu_power_limits_w;  // the enforced limit of each GPU when the run began
  // The scheduler's and MPI's view of the process (SLURM_JOB_ID, OMPI_COMM_WORLD_RANK, ...):
  // the variables of kSchedulerVariables that are set, as given.
  std::vector<std::pair<std::string, std::string>> scheduler;
};

// The environment variables recorded with each run, where set.
inline constexpr const char* kSchedulerVariables[] = {
    "SLURM_CLUSTER_NAME", "SLURM_JOB_ID",     "SLURM_JOB_NAME",      "SLURM_JOB_PARTITION", "SLURM_JOB_NODELIST",
    "SLURM_JOB_NUM_NODES", "SLURMD_NODENAME", "SLURM_NODEID",        "SLURM_PROCID",        "SLURM_LOCALID",
    "SLURM_STEP_ID",      "SLURM_NTASKS",     "SLURM_ARRAY_JOB_ID",  "SLURM_ARRAY_TASK_ID", "OMPI_COMM_WORLD_RANK",
    "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "TORCHELASTIC_RUN_ID", "RANK",
    "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"};

HostInfo read_host_info(const Roots& roots);

}  // namespace powerfit::sensors
