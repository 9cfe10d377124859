#pragma once
// The figures a run ends with, per channel and for the whole run: computed by analysis, stored by
// recording, printed by report. Defined once here so that every layer speaks of the same fields.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "powerfit/units.hpp"

namespace powerfit {

struct ChannelSummary {
  ChannelInfo info;
  std::uint64_t samples = 0;
  std::optional<double> total;     // counters: increase over the run (J, B, s)
  std::optional<double> mean;      // time-weighted mean; for counters the mean rate per second
  std::optional<double> min;
  std::optional<double> max;       // for counters the highest rate between two samples
  std::optional<double> energy_j;  // energy counters and power gauges
  std::optional<double> last;
  std::optional<std::string> failure;  // why the channel stopped, when it did
  double failed_at_s = 0.0;
  // An energy counter that failed and was counted on from its consumer's power gauge
  // (info.gauge) from failed_at_s: its energy is whole, partly from the gauge.
  bool counted_from_gauge = false;
  // Counter readings discarded as glitches, and resets counted through (each losing at most one
  // interval), the first at first_reset_s.
  std::uint32_t glitches = 0;
  std::uint32_t resets = 0;
  double first_reset_s = 0.0;

  // Whether the channel's figures stop short of the run's end: it failed and nothing took over.
  bool incomplete() const { return failure.has_value() && !counted_from_gauge; }
};

struct RunSummary {
  double duration_s = 0.0;
  int exit_status = 0;
  std::uint64_t samples = 0;  // ticks taken by the sampler
  std::uint64_t missed_deadlines = 0;
  std::uint64_t dropped_ticks = 0;
  double max_lateness_s = 0.0;
  double sampler_cpu_s = 0.0;
  double sampler_overhead_percent = 0.0;
  double writer_cpu_s = 0.0;
  // All of powerfit's own CPU time for the run (every thread: sampler, writer, GPU poller, and
  // start-up), as a share of one core over the run's duration; of several runs in one process
  // (`run -r`), each from the end of the one before. Where powerfit runs inside the
  // measured program (the APIs, bench), the CPU of its own threads and of its calls that opened,
  // started and stopped the run: the program's own work is not in it.
  double process_cpu_s = 0.0;
  double process_overhead_percent = 0.0;
  std::optional<double> child_cpu_s;  // from wait4: exact CPU time of the command and the
                                      // descendants it waited for
  std::vector<ChannelSummary> channels;
  // Sums over the channels marked in_energy_total, measured and estimated apart: an estimate is
  // never added to a measurement.
  std::optional<double> measured_energy_j;
  std::optional<double> estimated_energy_j;
  // A total is partial when a channel in it failed before the run's end with nothing to take
  // over: its joules stop there. partial_channels names each such channel and when it failed.
  bool measured_energy_partial = false;
  bool estimated_energy_partial = false;
  std::vector<std::string> partial_channels;  // "gpu1.energy (read error at 0.60 s)"

  // With an idle baseline measured before the command started: the machine's idle power, the
  // command's own energy (from its start, the baseline left out) and its dynamic energy (the
  // command's energy less the idle power over the command's duration), measured and estimated
  // apart.
  struct Baseline {
    double duration_s = 0.0;
    double command_duration_s = 0.0;
    // How long the machine was given to settle (its power to stop falling) before the baseline.
    double settle_s = 0.0;
    std::optional<double> measured_power_w, estimated_power_w;
    std::optional<double> command_measured_energy_j, command_estimated_energy_j;
    std::optional<double> dynamic_measured_energy_j, dynamic_estimated_energy_j;
    std::string from_run_uuid;  // the run whose idle power this is, when not measured in this one
    // Why the baseline does not look idle (its power at or above the command's, or a busy CPU
    // during it); empty when it does. A dynamic energy at or below zero is left out, never shown.
    std::string not_idle;
  };
  std::optional<Baseline> baseline;

  const ChannelSummary* find(const std::string& name) const {
    for (const auto& channel : channels) {
      if (channel.info.name == name) return &channel;
    }
    return nullptr;
  }
};

}  // namespace powerfit
