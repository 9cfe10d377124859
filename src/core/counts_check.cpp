#include "core/counts_check.hpp"

namespace powerfit {

std::string counts_problem(const WorkloadCounts& counts) {
  if (counts.inferences < 0 || counts.correct < 0 || counts.correct > counts.inferences ||
      (counts.correct_top5 && (*counts.correct_top5 < counts.correct || *counts.correct_top5 > counts.inferences))) {
    return "counts disagree: need 0 <= correct <= correct_top5 <= inferences";
  }
  if (counts.inference_window && counts.inference_window->first >= counts.inference_window->second) {
    return "\"inference_window\" must be [start, end] in UNIX seconds, start before end";
  }
  return {};
}

}  // namespace powerfit
