#pragma once
// Power now and energy so far while a run goes on, from the sampler's newest values: what the
// settle check before an idle baseline waits on and what the live line shows. A glance, never
// stored: the run's figures come from the recorded series (counters shaped by their gauges).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "powerfit/units.hpp"
#include "sampler/sampler.hpp"

namespace powerfit::session {

struct LiveChannel {
  std::string name, source;
  Provenance provenance = Provenance::measured;
  std::optional<double> watts;  // none until two ticks (or the gauge) tell it
  double joules = 0.0;          // since the run started
};

class LiveMeter {
 public:
  // Follows the channels that count in the machine's energy totals.
  explicit LiveMeter(const Sampler& sampler);
  // Takes the sampler's newest tick; false when there is none since the last update.
  bool update();
  const std::vector<LiveChannel>& channels() const { return channels_; }
  double elapsed_s() const { return static_cast<double>(time_ns_) * 1e-9; }
  // Whether any followed channel is of this provenance.
  bool counts(Provenance provenance) const;
  // Summed over the channels of one provenance; none when no such channel has a value.
  std::optional<double> watts(Provenance provenance) const;
  std::optional<double> joules(Provenance provenance) const;

 private:
  const Sampler& sampler_;
  std::vector<std::size_t> indices_;  // into the sampler's channels
  std::vector<LiveChannel> channels_;
  std::vector<std::optional<double>> previous_;  // each channel's value at the last update
  std::uint64_t ticks_ = 0;
  std::int64_t time_ns_ = 0;
};

}  // namespace powerfit::session
