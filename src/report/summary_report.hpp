#pragma once
// The end-of-run summary, as text for a terminal (in the spirit of `perf stat`) and as JSON.

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/summary.hpp"

namespace powerfit::report {

struct SummaryHeader {
  std::vector<std::string> command;
  std::string label;
  std::string database;
  long long run_id = 0;
  double interval_s = 0.0;
};

void print_summary(std::ostream& out, const SummaryHeader& header, const RunSummary& summary, bool color);

nlohmann::ordered_json summary_json(const SummaryHeader& header, const RunSummary& summary);

// After repeated runs of one command: duration and energy as mean ± 95% confidence interval.
void print_repeats(std::ostream& out, const std::vector<RunSummary>& runs);
nlohmann::ordered_json repeats_json(const std::vector<RunSummary>& runs);

// "1.23 GiB", "512 B"
std::string format_bytes(double bytes);

}  // namespace powerfit::report
