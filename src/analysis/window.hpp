#pragma once
// Energy inside a time window of a run, from one channel's recorded samples: the part of a run a
// workload says was its inference, say, without its start-up.

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "powerfit/units.hpp"

namespace powerfit::analysis {

// (time since the run started in ns, recorded value): for energy counters the joules since the
// start, for power gauges the watts.
using Series = std::vector<std::pair<std::int64_t, double>>;

// Joules between t0 and t1 (ns): counters interpolated linearly at both ends, gauges integrated by
// trapezoids with interpolated ends. nullopt when the window is not inside the samples or the
// kind carries no energy. A power gauge may reach `edge_ns` beyond its first or last sample, held
// at that sample's value: a rate-based estimate's first value is the mean power of the interval
// before it, so a window opening in the run's first interval is still covered.
std::optional<double> energy_in_window(const Series& series, ChannelKind kind, std::int64_t t0, std::int64_t t1,
                                       std::int64_t edge_ns = 0);

}  // namespace powerfit::analysis
