#include <iostream>

#include "analysis/fit.hpp"
#include "cli/commands.hpp"
#include "cli/measurement_options.hpp"
#include "recording/readable.hpp"
#include "report/fit_report.hpp"

namespace powerfit::cli {

Action add_fit_command(CLI::App& app, const GlobalOptions&) {
  auto* command = app.add_subcommand("fit", "The fit test: which architecture suits which machine, with intervals");
  struct Options {
    TariffFlags tariff;
    std::vector<std::string> databases;
    std::string score = "composite";
    std::optional<double> min_accuracy;
    bool json = false, csv = false, dynamic = false;
    analysis::ScoreWeights weights;
  };
  auto options = std::make_shared<Options>();
  command->add_option("databases", options->databases, "Databases holding scored runs (bench, or run with a report)");
  command->add_option("--score", options->score,
                      "composite, netscore, inferences-per-joule, accuracy-per-joule, energy-per-inference or accuracy")
      ->capture_default_str();
  command->add_option("--min-accuracy", options->min_accuracy, "Also name the cheapest architecture at or above this top-1 %");
  command->add_flag("--json", options->json, "The matrix, bests and fronts as JSON");
  command->add_flag("--csv", options->csv, "One CSV row per architecture and machine");
  add_tariff_options(*command, options->tariff);
  command->add_flag("--dynamic", options->dynamic, "Score on the energy above the idle baseline");
  command->add_option("--alpha", options->weights.alpha, "Weight of accuracy in the composite score")->capture_default_str();
  command->add_option("--beta", options->weights.beta, "Weight of energy per correct inference")->capture_default_str();
  command->footer("Example: powerfit fit all.db --min-accuracy 97");
  return [options]() {
    if (options->databases.empty()) return usage_error("no database given; usage: powerfit fit FILE... [--json|--csv]");
    const auto metric = analysis::parse_fit_metric(options->score);
    if (!metric) return usage_error("--score " + options->score + " is not a score; see `powerfit fit --help`");
    if (options->json && options->csv) return usage_error("choose one of --json and --csv");
    const auto tariff = tariff_of(options->tariff);
    if (const auto* problem = std::get_if<std::string>(&tariff)) return usage_error(*problem);
    auto runs = recording::reported_runs_of(options->databases);
    if (runs.empty()) return usage_error(kNoScoredRun);
    std::vector<std::string> unscored, warnings;
    const auto observations = report::fit_observations(runs, options->weights, options->dynamic, &unscored, &warnings);
    for (const auto& warning : warnings) std::cerr << "powerfit: warning: " << warning << '\n';
    const auto fit = analysis::fit_test(observations, *metric, options->min_accuracy);
    if (options->json) {
      std::cout << report::fit_json(fit, unscored, std::get<Tariff>(tariff)).dump(2) << '\n';
    } else if (options->csv) {
      report::write_fit_csv(std::cout, fit, std::get<Tariff>(tariff));
    } else if (observations.empty()) {
      return usage_error("none of the " + std::to_string(runs.size()) + " reported runs could be scored (" + unscored.front() + ")");
    } else {
      report::print_fit_table(std::cout, fit, unscored);
    }
    return 0;
  };
}

}  // namespace powerfit::cli
