#pragma once
// `powerfit report`: one self-contained HTML page (inline SVG and CSS, a content security policy
// that lets no request leave it), the answer first: the leaderboard of architectures on machines,
// accuracy against energy per inference with the Pareto fronts, the fit-test heat map; then the
// runs, each run's power, utilization, memory and I/O over time with its phases shaded (folded),
// and the energy per channel. Long series are downsampled
// for drawing only; every figure in a table comes from the stored summaries of all samples.

#include <filesystem>
#include <string>
#include <vector>

#include "analysis/scores.hpp"
#include "recording/database.hpp"

namespace powerfit::report {

struct HtmlReportOptions {
  std::size_t points_per_series = 600;  // the most points a line keeps
  // Points of all the lines of the runs drawn over time together: each line keeps its share, at
  // least 40, at most points_per_series, so that a page of many runs stays small.
  std::size_t point_budget = 80'000;
  std::size_t run_plots = 100;  // runs drawn over time (in order); every run is in the table

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
