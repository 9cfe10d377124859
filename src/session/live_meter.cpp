#include "session/live_meter.hpp"

#include <algorithm>

namespace powerfit::session {

LiveMeter::LiveMeter(const Sampler& sampler) : sampler_(sampler) {
  const auto& channels = sampler.channels();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (channels[i].in_energy_total) followed_.push_back({.index = i, .provenance = channels[i].provenance});
  }
}

bool LiveMeter::update() {
  const auto latest = sampler_.latest();
  if (latest.ticks == ticks_) return false;
  const double dt = static_cast<double>(latest.time_ns - time_ns_) * 1e-9;
  for (auto& channel : followed_) {
    if (!latest.present[channel.index]) continue;
    const double value = latest.values[channel.index];
    if (is_counter(sampler_.channels()[channel.index].kind)) {
      // A counter's power is its gauge where it has one (a counter refreshed in the background
      // repeats itself between refreshes), else its rise since the last update.
      const auto gauge = sampler_.gauge_of(channel.index);
      if (gauge && latest.present[*gauge]) {
        channel.watts = latest.values[*gauge];
      } else if (channel.previous && dt > 0.0) {
        channel.watts = (value - *channel.previous) / dt;
      }
    } else {
      channel.watts = value;
    }
    channel.previous = value;
  }
  ticks_ = latest.ticks;
  time_ns_ = latest.time_ns;
  return true;
}

bool LiveMeter::counts(Provenance provenance) const {
  return std::any_of(followed_.begin(), followed_.end(), [&](const Followed& c) { return c.provenance == provenance; });
}

std::optional<double> LiveMeter::watts(Provenance provenance) const {
  std::optional<double> sum;
  for (const auto& channel : followed_) {
    if (channel.provenance == provenance && channel.watts) sum = sum.value_or(0.0) + *channel.watts;
  }
  return sum;
}

}  // namespace powerfit::session
