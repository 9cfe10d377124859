#include <iostream>

#include "cli/commands.hpp"
#include "core/output_file.hpp"
#include "recording/export.hpp"

namespace powerfit::cli {

Action add_export_command(CLI::App& app, const GlobalOptions&) {
  auto* command = app.add_subcommand("export", "Write recorded samples as tidy CSV or JSON (one row per sample and channel)");
  struct Options {
    std::string database;
    std::string format = "csv";
    std::optional<std::int64_t> run;
    std::string output;
    bool output_given = false;
  };
  auto options = std::make_shared<Options>();
  command->add_option("database", options->database, "Database written by `powerfit run`")->required();
  command->add_option("--format", options->format, "csv or json")->capture_default_str();
  command->add_option("--run", options->run, "Export only this run id (default: every run)");
  command->add_option("-o,--output", options->output, "Write to this file instead of standard output")
      ->each([options](const std::string&) { options->output_given = true; });
  return [options]() {
    if (options->format != "csv" && options->format != "json") {
      return usage_error("unknown export format '" + options->format + "'; use --format csv or --format json");
    }
    if (!options->output.empty() || options->output_given) {
      if (auto problem = output_problem(options->output, {options->database})) return usage_error(*problem);
    }
    auto database = recording::Database::open(options->database, recording::Database::Mode::read_only);
    if (options->run && !database.has_run(*options->run)) {
      return usage_error("no run " + std::to_string(*options->run) + " in '" + options->database +
                         "'; leave out --run to export every run");
    }
    const auto format = options->format == "csv" ? recording::ExportFormat::csv : recording::ExportFormat::json;
    if (options->output.empty()) {
      recording::export_samples(database, options->run, format, std::cout);
      return 0;
    }
    ReplacingFile out(options->output);
    recording::export_samples(database, options->run, format, out.stream());
    if (auto problem = out.commit()) {
      std::cerr << "powerfit: error: " << *problem << '\n';
      return 1;
    }
    return 0;
  };
}

}  // namespace powerfit::cli
