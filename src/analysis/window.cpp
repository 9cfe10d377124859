#include "analysis/window.hpp"

#include <algorithm>

namespace powerfit::analysis {
namespace {

double value_at(const Series& series, std::int64_t t) {
  const auto after = std::lower_bound(series.begin(), series.end(), t,
                                      [](const auto& sample, std::int64_t time) { return sample.first < time; });
  if (after == series.begin()) return after->second;
  if (after == series.end()) return series.back().second;
  const auto before = after - 1;
  const double span = static_cast<double>(after->first - before->first);
  const double share = span > 0 ? static_cast<double>(t - before->first) / span : 0.0;
  return before->second + share * (after->second - before->second);
}

}  // namespace

std::optional<double> energy_in_window(const Series& series, ChannelKind kind, std::int64_t t0, std::int64_t t1,
                                       std::int64_t edge_ns) {
  const std::int64_t reach = kind == ChannelKind::power_gauge ? edge_ns : 0;
  if (series.size() < 2 || t1 <= t0 || t0 < series.front().first - reach || t1 > series.back().first + reach) {
    return std::nullopt;
  }
  if (kind == ChannelKind::energy_counter) return value_at(series, t1) - value_at(series, t0);
  if (kind != ChannelKind::power_gauge) return std::nullopt;
  // Trapezoids over the samples inside the window, with the window's ends interpolated.
  Series points{{t0, value_at(series, t0)}};
  for (const auto& sample : series) {
    if (sample.first > t0 && sample.first < t1) points.push_back(sample);
  }
  points.emplace_back(t1, value_at(series, t1));
  double joules = 0.0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    joules += 0.5 * (points[i - 1].second + points[i].second) * static_cast<double>(points[i].first - points[i - 1].first) * 1e-9;
  }
  return joules;
}

}  // namespace powerfit::analysis
