#pragma once
// Every source powerfit knows, built for one machine (or fixture tree) and one measured process.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sensors/source.hpp"

namespace powerfit::sensors {

struct CatalogOptions {
  Roots roots;
  pid_t process_root = 0;  // 0: no process tree to follow
  bool loopback_in_total = false;
  bool estimate = true;              // add an estimated CPU power where nothing measures it
  std::optional<double> cpu_tdp_w;   // --cpu-tdp
  std::optional<std::vector<std::string>> gpus;  // the GPUs NVML counts (session/gpu_binding.hpp); nullopt: all
  // false: the host's channels (CPU, memory, disk, network, RAPL, hwmon, the estimate) are left
  // to another process of the job, and only the process tree and the GPUs are sampled here.
  bool host_channels = true;
  // Runs between the two readings that check each RAPL counter moves; empty: wait 20 ms. Tests
  // advance fixture counters here rather than race a thread against the wait.
  std::function<void()> rapl_settle;
  // The sources to open, by name (choose_sources's rule); empty: all. The others are kept
  // unopened as not chosen, so a run that names a few pays for no other: no NVML start, no RAPL
  // check, no poller started and stopped.
  std::vector<std::string> wanted;
};

struct CatalogEntry {
  std::unique_ptr<Source> source;
  Availability availability;
};

// Builds every known source and opens the wanted ones; the rest are kept with the reason.
std::vector<CatalogEntry> open_catalog(const CatalogOptions& options);

// Keeps the sources named (as `powerfit sensors` lists them) and sets the others aside as not
// chosen; with no name, every source but the opt-in ones (Source::opt_in) is kept. "nvml" and
// "nvml.slow" keep "procfs.process" with them: that source refreshes the process tree NVML
// attributes GPU use by. Returns the problem when a name is unknown or its source unavailable.
std::optional<std::string> choose_sources(std::vector<CatalogEntry>& catalog, const std::vector<std::string>& names);

// The available sources alone, ready for the sampler.
std::vector<std::unique_ptr<Source>> available_sources(std::vector<CatalogEntry>& catalog);

}  // namespace powerfit::sensors
