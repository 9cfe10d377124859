#pragma once
// What `powerfit bench` ends with: per repeat, the recorded session's summary and the pass's own
// figures (counts, per-batch latency), and the figures common to every repeat.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "analysis/latency.hpp"
#include "inference/loop.hpp"
#include "powerfit/summary.hpp"
#include "powerfit/workload_counts.hpp"

namespace powerfit::inference {

struct BenchRepeat {
  Summary summary;  // the run: its id, idle baseline, the inference window's energy, warnings
  PassResult pass;
  analysis::LatencyStats latency;
  double inference_s = 0.0;  // the measured pass, warm-up and baseline left out
};

struct BenchResult {
  WorkloadCounts model;  // the figures common to every repeat: model, device, parameters, MACs ...
  std::size_t scores_per_sample = 0;
  bool labelled = true;  // the data set had labels: correct answers were counted
  std::vector<BenchRepeat> repeats;
  // The run that measured the idle power the repeats were measured against.
  std::optional<Summary> idle;
};

}  // namespace powerfit::inference
