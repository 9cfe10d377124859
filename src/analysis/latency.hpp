#pragma once
// Latency figures of a bench pass: percentiles of the per-batch times, and throughput.

#include <vector>

namespace powerfit::analysis {

struct LatencyStats {
  double p50_s = 0.0, p90_s = 0.0, p99_s = 0.0, mean_s = 0.0;
};

// Percentile q (0..100) with linear interpolation between the closest ranks; 0 for no values.
double percentile(std::vector<double> values, double q);

LatencyStats latency_stats(const std::vector<double>& batch_latency_s);

}  // namespace powerfit::analysis
