#pragma once
// What a measured session ends with: the run's figures as `powerfit run` prints them, the
// regions of the program that measured itself, and the scores where it reported its counts.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "powerfit/export.hpp"
#include "powerfit/run_summary.hpp"
#include "powerfit/scores.hpp"
#include "powerfit/workload_counts.hpp"

namespace powerfit {

struct RegionFigures {
  std::string name;
  double seconds = 0.0;
  double thread_cpu_s = 0.0;  // CPU time of the thread that opened and closed the region
  std::optional<double> measured_energy_j, estimated_energy_j;
  // Channels of the totals that stopped inside the region, or had no samples over it: the sums
  // above are partial when this is not empty.
  std::vector<std::string> partial_channels;
};

struct Summary {
  std::int64_t run_id = 0;
  std::string run_uuid;
  std::string database;  // empty when the session kept no file
  std::vector<std::string> command;
  std::string label;
  double interval_s = 0.0;

  RunSummary run;  // duration, samples, sampler health, overheads, channels, energy, idle baseline
  std::vector<RegionFigures> regions;
  Tariff tariff;  // as given to the session

  std::optional<WorkloadCounts> counts;
  // The energy of the inference window: the one the counts name, else the span of the regions
  // named "inference".
  std::optional<double> window_measured_energy_j, window_estimated_energy_j;
  struct ChannelEnergy {
    std::string name;
    bool estimated = false;
    double joules = 0.0;
  };
  std::vector<ChannelEnergy> window_channels;  // the window's energy per channel in the totals
  // Channels of the totals that stopped inside the window, making its energy partial.
  std::vector<std::string> window_partial_channels;
  // With counts: the scores and what they rest on. The energy is the window's, else the run's
  // less its idle baseline, else the whole run's; measured where anything measured it, else
  // ESTIMATED. `unscored_why` says why there are none.
  std::optional<Scores> scores;
  std::string scored_on;  // "inference window", "run less idle baseline", "whole run"
  bool scores_estimated = false;
  std::string unscored_why;

  // What went wrong after measuring began (a database write, an unusable report): the figures
  // above stand.
  std::vector<std::string> warnings;
  // Which GPUs and host channels this session counted and why, where a job's layout or a choice
  // narrowed them (empty: every GPU and the host's channels).
  std::string counted;
  // Set when recording into the database failed: from when samples were lost, and why. The run
  // is then a failed one (`powerfit run` exits 1; the command's own status is in `run`).
  std::optional<std::string> recording_error;

  // The JSON written by `powerfit run --summary-json`.
  POWERFIT_EXPORT std::string to_json() const;
};

}  // namespace powerfit
