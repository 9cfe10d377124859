#include "analysis/latency.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace powerfit::analysis {

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double position = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const auto above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + (values[above] - values[below]) * fraction;
}

LatencyStats latency_stats(const std::vector<double>& batch_latency_s) {
  if (batch_latency_s.empty()) return {};
  return {.p50_s = percentile(batch_latency_s, 50),
          .p90_s = percentile(batch_latency_s, 90),
          .p99_s = percentile(batch_latency_s, 99),
          .mean_s = std::accumulate(batch_latency_s.begin(), batch_latency_s.end(), 0.0) /
                    static_cast<double>(batch_latency_s.size())};
}

}  // namespace powerfit::analysis
