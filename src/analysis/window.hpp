#pragma once
// Energy inside a time window of a run, from one channel's recorded samples: the part of a run a
// workload says was its inference, say, without its start-up.

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "analysis/series_values.hpp"
#include "powerfit/units.hpp"

namespace powerfit::analysis {

// Joules between t0 and t1 (ns). A counter's energy between two of its readings is placed in
// time by `gauge`, the power gauge of the same consumer where there is one (the counter gives the
// amount, the gauge where in the interval it fell), else linearly; a gauge is integrated by
// trapezoids with interpolated ends. nullopt when the window is not inside the samples or the
// kind carries no energy. A power gauge, and a counter with a gauge, may reach `edge_ns` beyond
// the first or last sample, the gauge held at its end value: a rate-based estimate's first
// value is the mean power of the interval before it, and a counter polled in the background is
// read a little before the run ends.
std::optional<double> energy_in_window(const Series& series, ChannelKind kind, std::int64_t t0, std::int64_t t1,
                                       std::int64_t edge_ns = 0, const Series* gauge = nullptr);

// An energy counter's power over time, in watts at seconds since the start: the rate between
// one change of the value and the next. A counter refreshed in the background and recorded at
// every tick repeats its value between refreshes; rates between ticks would swing between zero
// and twice the power.
std::vector<std::pair<double, double>> counter_power(const Series& counter);

// A byte counter's rate over time, in bytes per second at seconds since the start: the rate
// between each stored sample and the one before it, held over that stretch. A counter that stood
// still is stored only where it stopped and moved again (recording/writer.hpp): its stretch of
// zero starts where it stopped, so a burst reads as a burst, not as a slope down to the next
// stored sample seconds later.
std::vector<std::pair<double, double>> counter_rate(const Series& counter);

}  // namespace powerfit::analysis
