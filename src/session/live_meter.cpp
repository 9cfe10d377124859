#include "session/live_meter.hpp"

#include <algorithm>
#include <cmath>

namespace powerfit::session {

LiveMeter::LiveMeter(const Sampler& sampler) : sampler_(sampler) {
  const auto& channels = sampler.channels();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (channels[i].in_energy_total) {
      followed_.push_back({.index = i, .provenance = channels[i].provenance, .source = channels[i].source});
    }
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
    if (!std::isnan(latest.energy_j[channel.index])) channel.energy_j = latest.energy_j[channel.index];
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

std::optional<double> LiveMeter::energy_j(Provenance provenance) const {
  std::optional<double> sum;
  for (const auto& channel : followed_) {
    if (channel.provenance == provenance && channel.energy_j) sum = sum.value_or(0.0) + *channel.energy_j;
  }
  return sum;
}

Session::LiveReading LiveMeter::reading() const {
  Session::LiveReading reading{.elapsed_s = elapsed_s(),
                               .measured_energy_j = energy_j(Provenance::measured),
                               .estimated_energy_j = energy_j(Provenance::estimated)};
  auto& sources = reading.sources;
  for (const auto& channel : followed_) {
    if (!channel.watts) continue;
    const bool estimated = channel.provenance == Provenance::estimated;
    auto found = std::find_if(sources.begin(), sources.end(), [&](const auto& s) { return s.name == channel.source && s.estimated == estimated; });
    if (found == sources.end()) found = sources.insert(sources.end(), {channel.source, estimated, 0.0});
    found->watts += *channel.watts;
  }
  return reading;
}

}  // namespace powerfit::session
