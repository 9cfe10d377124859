#pragma once
// The end-of-run summary, as text for a terminal (in the spirit of `perf stat`) and as JSON.

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "powerfit/summary.hpp"

namespace powerfit::report {

void print_summary(std::ostream& out, const Summary& session, bool color);

// The JSON of `powerfit run --summary-json` and of the APIs' summaries.
nlohmann::ordered_json summary_json(const Summary& session);

// After repeated runs of one command: duration and energy as mean ± 95% confidence interval.
void print_repeats(std::ostream& out, const std::vector<RunSummary>& runs);
nlohmann::ordered_json repeats_json(const std::vector<RunSummary>& runs);

// "1.23 GiB", "512 B"
std::string format_bytes(double bytes);

}  // namespace powerfit::report
