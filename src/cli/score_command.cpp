#include <iostream>

#include "analysis/scores.hpp"
#include "cli/commands.hpp"
#include "recording/readable.hpp"
#include "report/score_report.hpp"

namespace powerfit::cli {

Action add_score_command(CLI::App& app, const GlobalOptions&) {
  auto* command = app.add_subcommand("score", "Rank the scored runs of one or more databases");
  struct Options {
    std::vector<std::string> databases;
    bool json = false;
    bool explain = false;
    bool dynamic = false;
    analysis::ScoreWeights weights;
  };
  auto options = std::make_shared<Options>();
  command->add_option("databases", options->databases, "Databases written by `powerfit run`");
  command->add_flag("--json", options->json, "One JSON object per run");
  command->add_flag("--dynamic", options->dynamic, "Score on the energy above the idle baseline (runs made with --baseline)");
  command->add_flag("--explain", options->explain, "Print the formulas, units and defaults, and exit");
  command->add_option("--alpha", options->weights.alpha, "Weight of accuracy in the composite score")->capture_default_str();
  command->add_option("--beta", options->weights.beta, "Weight of energy per correct inference")->capture_default_str();
  return [options]() {
    if (options->explain) {
      std::cout << analysis::explain_scores(options->weights);
      return 0;
    }
    if (options->databases.empty()) return usage_error("no database given; usage: powerfit score FILE... [--json]");
    std::vector<recording::ReportedRun> runs;
    for (const auto& path : options->databases) {
      recording::ReadableDatabase readable(path);
      auto reported = readable.database().reported_runs();
      runs.insert(runs.end(), reported.begin(), reported.end());
    }
    if (options->json) {
      std::cout << report::scored_runs_json(runs, options->weights, options->dynamic).dump(2) << '\n';
      return 0;
    }
    if (runs.empty()) {
      std::cout << "no run in these databases reported inferences; a workload reports them by writing JSON to the "
                   "file named by $POWERFIT_REPORT_FILE (see README)\n";
      return 0;
    }
    report::print_score_table(std::cout, runs, options->weights, options->dynamic);
    return 0;
  };
}

}  // namespace powerfit::cli
