#pragma once
// Turns what the sampler kept per channel (its totals, copied out once it stopped) into the
// figures a person reads.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "powerfit/run_summary.hpp"
#include "sampler/channel_track.hpp"

namespace powerfit::analysis {

ChannelSummary summarize_channel(const ChannelInfo& info, const ChannelTotals& totals);

std::vector<ChannelSummary> summarize_channels(const std::vector<ChannelInfo>& channels,
                                               const std::vector<ChannelTotals>& totals);

// Fills the run's measured and estimated energy totals from its channel summaries, and marks a
// total partial where a channel in it stopped early.
void add_energy_totals(RunSummary& summary);

// What a person should know of the run's counters: readings discarded as glitches, resets.
std::vector<std::string> counter_warnings(const RunSummary& summary);
// A run that ended within one sampling interval: its figures rest on the first and last readings
// alone, and an estimate may have had nothing to go on. Says so, or nullopt. `measured` names what
// ran ("the command", "the session") and `faster` how to ask for a shorter interval where it ran
// ("-i 10ms", "interval \"10ms\"").
std::optional<std::string> short_run_warning(const RunSummary& summary, double interval_s, std::string_view measured,
                                             std::string_view faster);

// A baseline busier than this (system CPU utilization, %) is not an idle one; nor is one whose
// power is above the command's by more than this factor.
constexpr double kBusyBaselinePercent = 50.0;
constexpr double kBusyBaselineMargin = 1.02;
// Checks that the baseline looks idle: its power below the command's mean power for each
// provenance, and the CPU (mean utilization during it, where known) not busy. Fills
// `baseline.not_idle` with the reason when not, and drops a dynamic energy at or below zero.
void check_baseline(RunSummary::Baseline& baseline, std::optional<double> cpu_utilization_percent);

// How a partial total names a channel that stopped: "gpu1.energy (read error at 0.60 s)".
std::string partial_note(const std::string& channel, const std::string& failure, double at_s);
// "gpu1.energy (no samples over the stretch)": a channel of the energy total that others counted
// a stretch without, having no sample over it.
std::string unsampled_note(const std::string& channel);

}  // namespace powerfit::analysis
