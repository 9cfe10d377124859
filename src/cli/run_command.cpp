#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "report/score_report.hpp"
#include "report/summary_report.hpp"
#include "cli/measured_command.hpp"
#include "workload/child_process.hpp"

namespace powerfit::cli {
namespace {

bool directory_writable(const std::filesystem::path& file) {
  const auto directory = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  return ::access(directory.c_str(), W_OK) == 0;
}

}  // namespace

Action add_run_command(CLI::App& app, const GlobalOptions& global) {
  auto* command = app.add_subcommand("run", "Run a command and measure it while it runs");
  struct Options {
    std::string interval = "100ms";
    std::string output = "powerfit.db";
    std::string label;
    std::string summary_json;
    bool include_loopback = false;
    bool no_estimate = false;
    std::optional<double> cpu_tdp;
    std::string baseline = "0";
    int repeat = 1;
    std::vector<std::string> command;
  };
  auto options = std::make_shared<Options>();
  command->add_option("-i,--interval", options->interval, "Sampling interval, 1ms to 60s (e.g. 50ms, 2s)")->capture_default_str();
  command->add_option("-o,--output", options->output, "SQLite database to append the run to")->capture_default_str();
  command->add_option("--label", options->label, "Free text stored with the run");
  command->add_option("--summary-json", options->summary_json, "Also write the summary as JSON to this file");
  command->add_flag("--include-loopback", options->include_loopback, "Count loopback traffic in the network total");
  command->add_flag("--no-estimate", options->no_estimate, "No estimated CPU power where nothing measures it");
  command->add_option("--cpu-tdp", options->cpu_tdp, "CPU power at full load in watts, for the estimate")
      ->check(CLI::PositiveNumber);
  command->add_option("--baseline", options->baseline,
                      "Measure the idle machine this long before starting CMD (e.g. 5s), for idle power and dynamic energy")
      ->capture_default_str();
  command->add_option("-r,--repeat", options->repeat, "Run CMD this many times, one recorded run each")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  command->add_option("command", options->command, "The command and its arguments, after --");
  command->footer("Example: powerfit run -i 50ms -o runs.db -- python3 infer.py --batch 32");

  return [options, &global]() {
    if (options->command.empty()) {
      return usage_error("no command given; usage: powerfit run [OPTIONS] -- CMD [ARGS...]");
    }
    if (!options->summary_json.empty() && !directory_writable(options->summary_json)) {
      return usage_error("cannot write summary to '" + options->summary_json +
                         "'; check that the directory exists and is writable");
    }
    if (!workload::resolve_command(options->command.front())) {
      std::cerr << "powerfit: " << options->command.front() << ": command not found\n";
      return 127;
    }
    const SessionOptions session_options{.output = options->output,
                                         .interval = options->interval,
                                         .label = options->label,
                                         .estimate = !options->no_estimate,
                                         .cpu_tdp_w = options->cpu_tdp,
                                         .baseline = options->baseline,
                                         .include_loopback = options->include_loopback,
                                         .proc_root = global.roots.proc.string(),
                                         .sys_root = global.roots.sys.string()};
    std::vector<nlohmann::ordered_json> summaries;
    std::vector<RunSummary> repeats;
    int status = 0;
    for (int repeat = 0; repeat < options->repeat && status == 0; ++repeat) {
      MeasuredCommand measured;
      try {
        measured = measure_command(options->command, session_options);
      } catch (const Error& error) {
        if (error.kind() == Error::Kind::argument) return usage_error(error.what());
        std::cerr << "powerfit: error: " << error.what() << '\n';
        return summaries.empty() ? kUsageError : 1;
      }
      const auto& summary = measured.summary;
      if (measured.exec_error) std::cerr << "powerfit: " << *measured.exec_error << '\n';
      for (const auto& warning : summary.warnings) std::cerr << "powerfit: warning: " << warning << '\n';
      if (!global.quiet) {
        report::print_summary(std::cerr, summary, global.color);
        if (summary.counts) report::print_run_scores(std::cerr, summary);
      }
      summaries.push_back(report::summary_json(summary));
      repeats.push_back(summary.run);
      status = summary.run.exit_status;  // a failing command ends the repeats
    }
    if (repeats.size() > 1 && !global.quiet) report::print_repeats(std::cerr, repeats);
    if (!options->summary_json.empty()) {
      std::ofstream out(options->summary_json);
      if (summaries.size() == 1) {
        out << summaries.front().dump(2) << '\n';
      } else {
        out << nlohmann::ordered_json{{"runs", summaries}, {"repeats", report::repeats_json(repeats)}}.dump(2) << '\n';
      }
      if (!out) std::cerr << "powerfit: warning: could not write " << options->summary_json << '\n';
    }
    return status;
  };
}

}  // namespace powerfit::cli
