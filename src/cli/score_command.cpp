#include <iostream>

#include "analysis/scores.hpp"
#include "cli/commands.hpp"
#include "cli/measurement_options.hpp"
#include "recording/readable.hpp"
#include "report/score_report.hpp"

namespace powerfit::cli {

Action add_score_command(CLI::App& app, const GlobalOptions&) {
  auto* command = app.add_subcommand("score", "Rank the scored runs of one or more databases");
  struct Options {
    std::vector<std::string> databases;
    bool json = false;
    bool csv = false;
    TariffFlags tariff;
    bool explain = false;
    bool dynamic = false;
    analysis::ScoreWeights weights;
  };
  auto options = std::make_shared<Options>();
  command->add_option("databases", options->databases, "Databases written by `powerfit run`");
  command->add_flag("--json", options->json, "One JSON object per run");
  command->add_flag("--csv", options->csv, "One CSV row per run, every field of --json");
  add_tariff_options(*command, options->tariff);
  command->add_flag("--dynamic", options->dynamic, "Score on the energy above the idle baseline (runs made with --baseline)");
  command->add_flag("--explain", options->explain, "Print the formulas, units and defaults, and exit");
  command->add_option("--alpha", options->weights.alpha, "Weight of accuracy in the composite score")->capture_default_str();
  command->add_option("--beta", options->weights.beta, "Weight of energy per correct inference")->capture_default_str();
  return [options]() {
    if (options->explain) {
      std::cout << analysis::explain_scores(options->weights);
      return 0;
    }
    if (options->databases.empty()) return usage_error("no database given; usage: powerfit score FILE... [--json|--csv]");
    if (options->json && options->csv) return usage_error("choose one of --json and --csv");
    const auto tariff = tariff_of(options->tariff);
    if (const auto* problem = std::get_if<std::string>(&tariff)) return usage_error(*problem);
    auto runs = recording::reported_runs_of(options->databases);
    if (runs.empty()) return usage_error(kNoScoredRun);
    if (options->json || options->csv) {
      const auto json = report::scored_runs_json(runs, options->weights, options->dynamic, std::get<Tariff>(tariff));
      if (options->json) {
        std::cout << json.dump(2) << '\n';
      } else {
        report::write_scored_runs_csv(std::cout, json);
      }
      return 0;
    }
    report::print_score_table(std::cout, runs, options->weights, options->dynamic, std::get<Tariff>(tariff));
    return 0;
  };
}

}  // namespace powerfit::cli
