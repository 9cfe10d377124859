#pragma once
// The one check of a workload's counts, wherever they come from: the report file a measured
// command writes, or report() in the C++, C and Python APIs.

#include <string>

#include "powerfit/workload_counts.hpp"

namespace powerfit {

// What is wrong with the counts and the inference window, in one line; empty when nothing is.
std::string counts_problem(const WorkloadCounts& counts);

}  // namespace powerfit
