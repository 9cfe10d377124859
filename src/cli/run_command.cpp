#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/measurement_options.hpp"
#include "core/output_file.hpp"
#include "report/score_report.hpp"
#include "report/summary_report.hpp"
#include "harness/measured_command.hpp"
#include "workload/child_process.hpp"

namespace powerfit::cli {

Action add_run_command(CLI::App& app, const GlobalOptions& global) {
  auto* command = app.add_subcommand("run", "Run a command and measure it while it runs");
  struct Options {
    MeasurementFlags measurement;
    std::string summary_json;
    std::string baseline = "0";
    std::string settle = SessionOptions{}.settle;
    int repeat = 1;
    std::optional<bool> live;
    std::vector<std::string> command;
  };
  auto options = std::make_shared<Options>();
  add_measurement_options(*command, options->measurement);
  add_live_option(*command, options->live);
  command->add_option("--summary-json", options->summary_json, "Also write the summary as JSON to this file")
      ->transform(job_pattern());
  command->add_option("--baseline", options->baseline,
                      "Measure the idle machine this long before starting CMD (e.g. 5s), for idle power and dynamic energy")
      ->capture_default_str();
  add_settle_option(*command, options->settle);
  command->add_option("-r,--repeat", options->repeat, "Run CMD this many times, one recorded run each")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  command->add_option("command", options->command, "The command and its arguments, after --");
  command->footer("Example: powerfit run -i 50ms -o runs.db -- python3 infer.py --batch 32");

  return [options, &global]() {
    auto session = session_options(options->measurement, global);
    if (const auto* error = std::get_if<std::string>(&session)) return usage_error(*error);
    auto& measuring = std::get<SessionOptions>(session);
    measuring.baseline = options->baseline;
    if (auto problem = settle_problem(options->settle)) return usage_error(*problem);
    measuring.settle = options->settle;
    if (options->command.empty()) {
      return usage_error("no command given; usage: powerfit run [OPTIONS] -- CMD [ARGS...]");
    }
    if (!options->summary_json.empty()) {
      if (auto problem = output_problem(options->summary_json, {measuring.output})) return usage_error("--summary-json: " + *problem);
    }
    if (!workload::resolve_command(options->command.front())) {
      const auto& name = options->command.front();
      std::error_code ec;
      if (name.find('/') != std::string::npos && std::filesystem::exists(name, ec)) {
        // As a shell has it: found but not executable is 126, not found 127.
        std::cerr << "powerfit: " << name << ": permission denied (not an executable file; chmod +x it, or run it through its interpreter)\n";
        return 126;
      }
      std::cerr << "powerfit: " << name << ": command not found\n";
      return 127;
    }
    std::vector<nlohmann::ordered_json> summaries;
    // The figures over the repeats are the runs that succeeded: a failed one measured something else.
    std::vector<RunSummary> succeeded;
    int status = 0;
    bool recording_failed = false;
    for (int repeat = 0; repeat < options->repeat && status == 0; ++repeat) {
      harness::MeasuredCommand measured;
      try {
        measured = harness::measure_command(options->command, measuring, harness::resolve_live(options->live, global.quiet));
      } catch (const Error& error) {
        if (summaries.empty()) return usage_error(error.what());
        std::cerr << "powerfit: error: " << error.what() << " (the runs before are kept)\n";
        status = 1;  // the summaries of the runs before are still written below
        break;
      }
      const auto& summary = measured.summary;
      if (!summary.counted.empty() && !global.quiet) std::cerr << "powerfit: note: counted " << summary.counted << '\n';
      if (measured.exec_error) std::cerr << "powerfit: " << *measured.exec_error << '\n';
      if (measured.report_problem) std::cerr << "powerfit: warning: " << *measured.report_problem << '\n';
      for (const auto& warning : summary.warnings) std::cerr << "powerfit: warning: " << warning << '\n';
      if (!global.quiet) {
        report::print_summary(std::cerr, summary, global.color);
        if (summary.counts) report::print_run_scores(std::cerr, summary);
      }
      summaries.push_back(report::summary_json(summary));
      if (summary.run.exit_status == 0) succeeded.push_back(summary.run);
      status = summary.run.exit_status;  // a failing command ends the repeats
      if (status != 0 && repeat + 1 < options->repeat) {
        const int left = options->repeat - repeat - 1;
        std::cerr << "powerfit: warning: run " << repeat + 1 << " of " << options->repeat << " exited with status " << status
                  << "; the " << left << (left == 1 ? " left is" : " left are") << " not run"
                  << (repeat > 0 ? ", and the figures over the runs leave out those that failed" : "") << '\n';
      }
      if (summary.recording_error) {
        // A run that could not be recorded is a failed run, and the repeats stop.
        recording_failed = true;
        break;
      }
    }
    if (succeeded.size() > 1 && !global.quiet) report::print_repeats(std::cerr, succeeded);
    if (!options->summary_json.empty()) {
      auto json = summaries.front();
      if (summaries.size() > 1) {  // the first run succeeded, or there would be no second
        json = nlohmann::ordered_json{{"runs", summaries}, {"repeats", report::repeats_json(succeeded)}};
        json["repeats"]["failed_runs"] = summaries.size() - succeeded.size();
      }
      if (auto problem = write_whole(options->summary_json, json.dump(2) + '\n')) {
        std::cerr << "powerfit: error: " << *problem << '\n';
        return 1;
      }
    }
    // A failed recording is powerfit's failure (1); the command's own status is in the summary.
    return recording_failed ? 1 : status;
  };
}

}  // namespace powerfit::cli
