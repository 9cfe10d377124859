#pragma once
// Turns what the sampler kept per channel into the figures a person reads.

#include <vector>

#include "powerfit/run_summary.hpp"
#include "sampler/channel_track.hpp"

namespace powerfit::analysis {

ChannelSummary summarize_channel(const ChannelInfo& info, const ChannelTrack& track);

std::vector<ChannelSummary> summarize_channels(const std::vector<ChannelInfo>& channels,
                                               const std::vector<ChannelTrack>& tracks);

// Fills the run's measured and estimated energy totals from its channel summaries.
void add_energy_totals(RunSummary& summary);

}  // namespace powerfit::analysis
