#include "session/live_meter.hpp"

#include <algorithm>

namespace powerfit::session {

LiveMeter::LiveMeter(const Sampler& sampler) : sampler_(sampler) {
  const auto& channels = sampler.channels();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (!channels[i].in_energy_total) continue;
    indices_.push_back(i);
    channels_.push_back({.name = channels[i].name, .source = channels[i].source, .provenance = channels[i].provenance});
  }
  previous_.resize(indices_.size());
}

bool LiveMeter::update() {
  const auto latest = sampler_.latest();
  if (latest.ticks == ticks_) return false;
  const double dt = static_cast<double>(latest.time_ns - time_ns_) * 1e-9;
  const bool first = ticks_ == 0;
  for (std::size_t k = 0; k < indices_.size(); ++k) {
    const std::size_t i = indices_[k];
    if (!latest.present[i]) continue;
    const double value = latest.values[i];
    auto& channel = channels_[k];
    if (is_counter(sampler_.channels()[i].kind)) {
      // The recorded value is the trusted increase since the start: the energy so far. Its power
      // is its gauge where it has one (a counter refreshed in the background repeats itself).
      channel.joules = value;
      const auto gauge = sampler_.gauge_of(i);
      if (gauge && latest.present[*gauge]) {
        channel.watts = latest.values[*gauge];
      } else if (previous_[k] && dt > 0.0) {
        channel.watts = (value - *previous_[k]) / dt;
      }
    } else {
      if (channel.watts && !first && dt > 0.0) channel.joules += 0.5 * (*channel.watts + value) * dt;
      channel.watts = value;
    }
    previous_[k] = value;
  }
  ticks_ = latest.ticks;
  time_ns_ = latest.time_ns;
  return true;
}

bool LiveMeter::counts(Provenance provenance) const {
  return std::any_of(channels_.begin(), channels_.end(), [&](const LiveChannel& c) { return c.provenance == provenance; });
}

std::optional<double> LiveMeter::watts(Provenance provenance) const {
  std::optional<double> sum;
  for (const auto& channel : channels_) {
    if (channel.provenance == provenance && channel.watts) sum = sum.value_or(0.0) + *channel.watts;
  }
  return sum;
}

std::optional<double> LiveMeter::joules(Provenance provenance) const {
  std::optional<double> sum;
  for (const auto& channel : channels_) {
    if (channel.provenance == provenance && (channel.watts || channel.joules > 0.0)) sum = sum.value_or(0.0) + channel.joules;
  }
  return sum;
}

}  // namespace powerfit::session
