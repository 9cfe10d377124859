#pragma once
// Power now and energy so far while a run goes on, from the sampler's newest values: what the
// settle check before an idle baseline waits on, and what the live line shows. A glance, never
// stored: the run's figures come from the recorded series (counters shaped by their gauges).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "powerfit/session.hpp"
#include "powerfit/units.hpp"
#include "sampler/sampler.hpp"

namespace powerfit::session {

class LiveMeter {
 public:
  // Follows the channels that count in the machine's energy totals.
  explicit LiveMeter(const Sampler& sampler);
  // Takes the sampler's newest tick; false when there is none since the last update.
  bool update();
  double elapsed_s() const { return static_cast<double>(time_ns_) * 1e-9; }
  // Whether any followed channel is of this provenance.
  bool counts(Provenance provenance) const;
  // Summed over the channels of one provenance; none when no such channel has a value yet.
  std::optional<double> watts(Provenance provenance) const;
  // Energy since the start, summed over the channels of one provenance; none before a value.
  std::optional<double> energy_j(Provenance provenance) const;
  // All of it, as the public API and the live line give it: power summed per source and
  // provenance (in the order the sources were opened) and energy since the start.
  Session::LiveReading reading() const;

 private:
  struct Followed {
    std::size_t index = 0;  // into the sampler's channels
    Provenance provenance = Provenance::measured;
    std::string source;
    std::optional<double> watts;     // none until two ticks (or the gauge) tell it
    std::optional<double> energy_j;  // since the start
    std::optional<double> previous;  // the value at the last update
  };
  const Sampler& sampler_;
  std::vector<Followed> followed_;
  std::uint64_t ticks_ = 0;
  std::int64_t time_ns_ = 0;
};

}  // namespace powerfit::session
