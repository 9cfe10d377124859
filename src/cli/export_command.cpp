#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "core/output_file.hpp"
#include "recording/export.hpp"
#ifdef POWERFIT_WITH_PROMETHEUS
#include "report/prometheus.hpp"
#endif

namespace powerfit::cli {

Action add_export_command(CLI::App& app, const GlobalOptions&) {
  auto* command = app.add_subcommand(
      "export", "Write recorded samples as tidy CSV or JSON (one row per sample and channel), or one run's totals for Prometheus");
  struct Options {
    std::string database;
    std::string format;  // empty: from -o's extension, else csv
    std::optional<std::int64_t> run;
    std::string output;
    bool output_given = false;
  };
  auto options = std::make_shared<Options>();
  command->add_option("database", options->database, "Database written by `powerfit run`")->required();
  command->add_option("--format", options->format,
                      "csv or json; prometheus: one run's energy totals in Prometheus' text format, for node-exporter's "
                      "textfile collector (the last run unless --run); default: from -o's extension (.csv, .json, "
                      ".prom), else csv");
  command->add_option("--run", options->run, "Export only this run id (default: every run)");
  command->add_option("-o,--output", options->output, "Write to this file instead of standard output")
      ->each([options](const std::string&) { options->output_given = true; });
  return [options]() {
    // The format -o's extension names, where it names one: given and differing, it is refused.
    const auto extension = std::filesystem::path(options->output).extension().string();
    const std::string named = extension == ".csv" ? "csv" : extension == ".json" ? "json" : extension == ".prom" ? "prometheus" : "";
    if (options->format.empty()) options->format = named.empty() ? "csv" : named;
    if (!named.empty() && named != options->format) {
      return usage_error("-o " + options->output + " names " + named + " but --format is " + options->format +
                         "; give one of them, or make them agree");
    }
    if (options->format != "csv" && options->format != "json" && options->format != "prometheus") {
      return usage_error("unknown export format '" + options->format + "'; use --format csv, json or prometheus");
    }
    if (!options->output.empty() || options->output_given) {
      if (auto problem = output_problem(options->output, {options->database})) return usage_error(*problem);
    }
    auto database = recording::Database::open(options->database, recording::Database::Mode::read_only);
    if (options->run && !database.has_run(*options->run)) {
      return usage_error("no run " + std::to_string(*options->run) + " in '" + options->database +
                         "'; leave out --run to export every run");
    }
    // For prometheus: the run whose totals are written, the last unless --run names one.
    const auto runs = options->format == "prometheus" ? database.runs() : std::vector<recording::RunRow>{};
    if (options->format == "prometheus" && runs.empty()) {
      return usage_error("'" + options->database + "' holds no run to export");
    }
#ifndef POWERFIT_WITH_PROMETHEUS
    if (options->format == "prometheus") return usage_error("this build has no Prometheus support; use --format csv or json");
#endif
    const auto write = [&](std::ostream& out) {
      if (options->format != "prometheus") {
        const auto format = options->format == "csv" ? recording::ExportFormat::csv : recording::ExportFormat::json;
        recording::export_samples(database, options->run, format, out);
        return;
      }
#ifdef POWERFIT_WITH_PROMETHEUS
      const auto run = std::find_if(runs.begin(), runs.end(), [&](const auto& row) { return row.id == options->run.value_or(runs.back().id); });
      out << report::exposition_text(report::run_families(*run, database.run_channels(run->id)));
#endif
    };
    if (options->output.empty()) {
      write(std::cout);
      return 0;
    }
    ReplacingFile out(options->output);
    write(out.stream());
    if (auto problem = out.commit()) {
      std::cerr << "powerfit: error: " << *problem << '\n';
      return 1;
    }
    return 0;
  };
}

}  // namespace powerfit::cli
