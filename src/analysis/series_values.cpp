#include "analysis/series_values.hpp"

#include <algorithm>

namespace powerfit::analysis {
namespace {

// The value at t on the straight line through two samples, `before` earlier than `after`.
double on_line(const Series::value_type& before, const Series::value_type& after, std::int64_t t) {
  const double span = static_cast<double>(after.first - before.first);
  const double share = span > 0 ? static_cast<double>(t - before.first) / span : 0.0;
  return before.second + share * (after.second - before.second);
}

}  // namespace

double value_at(const Series& series, std::int64_t t) {
  const auto after = std::lower_bound(series.begin(), series.end(), t,
                                      [](const auto& sample, std::int64_t time) { return sample.first < time; });
  if (after == series.begin()) return after->second;
  if (after == series.end()) return series.back().second;
  return on_line(*(after - 1), *after, t);
}

double integral(const Series& series, std::int64_t t0, std::int64_t t1) {
  if (t1 <= t0 || series.empty()) return 0.0;
  double sum = 0.0;
  std::int64_t t = t0;
  double value = value_at(series, t0);
  auto next = std::upper_bound(series.begin(), series.end(), t0,
                               [](std::int64_t time, const auto& sample) { return time < sample.first; });
  for (; next != series.end() && next->first < t1; ++next) {
    sum += 0.5 * (value + next->second) * static_cast<double>(next->first - t) * 1e-9;
    t = next->first;
    value = next->second;
  }
  sum += 0.5 * (value + value_at(series, t1)) * static_cast<double>(t1 - t) * 1e-9;
  return sum;
}

std::optional<double> mean_between(const Series& series, std::int64_t t0, std::int64_t t1) {
  if (series.empty()) return std::nullopt;
  const std::int64_t from = std::max(t0, series.front().first), to = std::min(t1, series.back().first);
  if (to < from) return std::nullopt;
  if (to == from) return value_at(series, from);
  return integral(series, from, to) / (static_cast<double>(to - from) * 1e-9);
}

std::vector<Range> range_at_every_time(const std::vector<const Series*>& series) {
  std::vector<std::int64_t> times;
  for (const auto* one : series) {
    for (const auto& [t, value] : *one) times.push_back(t);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  std::vector<Range> ranges;
  ranges.reserve(times.size());
  std::vector<std::size_t> next(series.size(), 0);  // each series' first sample at or after the time
  for (const auto t : times) {
    Range range{.time_ns = t};
    bool any = false;
    for (std::size_t i = 0; i < series.size(); ++i) {
      const auto& one = *series[i];
      if (one.empty() || t < one.front().first || t > one.back().first) continue;
      while (one[next[i]].first < t) ++next[i];
      const auto& after = one[next[i]];
      const double value = after.first == t ? after.second : on_line(one[next[i] - 1], after, t);
      range.low = any ? std::min(range.low, value) : value;
      range.high = any ? std::max(range.high, value) : value;
      any = true;
    }
    if (any) ranges.push_back(range);
  }
  return ranges;
}

}  // namespace powerfit::analysis
