#pragma once
// A recorded series' values between and across its stored samples. A channel that stands still is
// stored only where it stops, where it moves again and at each commit (recording/writer.hpp), so a
// straight line between stored samples is the series' value at every tick, and figures over time
// are weighted by time, not by the number of samples stored.

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace powerfit::analysis {

// (time since the run started in ns, recorded value): for energy counters the joules since the
// start, for power gauges the watts, for the rest the value in its channel's unit.
using Series = std::vector<std::pair<std::int64_t, double>>;

// The series' value at t, on the straight line between the samples around it and held beyond its
// ends. `series` is not empty.
double value_at(const Series& series, std::int64_t t);

// ∫ series dt over [t0, t1] (J for watts), by trapezoids between the samples inside, with the ends
// interpolated and the series held beyond its first and last samples.
double integral(const Series& series, std::int64_t t0, std::int64_t t1);

// The series' mean over [t0, t1] where its samples cover it, weighted by time; the value there
// where they cover one instant of it; nullopt where they cover none.
std::optional<double> mean_between(const Series& series, std::int64_t t0, std::int64_t t1);

// The lowest and highest of several series at every time any of them has a sample, each read on
// its straight line there; times before a series' first or after its last sample leave it out.
struct Range {
  std::int64_t time_ns = 0;
  double low = 0.0;
  double high = 0.0;
};
std::vector<Range> range_at_every_time(const std::vector<const Series*>& series);

}  // namespace powerfit::analysis
