#pragma once
// `powerfit report`: one self-contained HTML page (inline SVG and CSS, a content security policy
// that lets no request leave it) with the run summaries, each run's power, utilization, memory
// and I/O over time with its phases shaded, accuracy against energy per inference with the
// Pareto fronts, the fit-test heat map, and the energy per channel. Long series are downsampled
// for drawing only; every figure in a table comes from the stored summaries of all samples.

#include <filesystem>
#include <string>
#include <vector>

#include "analysis/scores.hpp"
#include "recording/database.hpp"

namespace powerfit::report {

struct HtmlReportOptions {
  std::size_t points_per_series = 600;
  analysis::ScoreWeights weights;
  bool dynamic = false;
  Tariff tariff;  // CO2e and cost columns where given
};

struct ReportInput {
  std::string name;  // as given on the command line
  recording::Database* database = nullptr;
};

std::string render_html_report(const std::vector<ReportInput>& inputs, const HtmlReportOptions& options);

}  // namespace powerfit::report
